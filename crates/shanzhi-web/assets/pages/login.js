// The login form. The session cookie is HttpOnly; the CSRF token comes back in the answer.
"use strict";
Shanzhi.register("login", {
  title: "登录",
  nav: false,
  render(view) {
    const { el, api } = Shanzhi;
    const error = el("p", { id: "login-error", class: "flash", role: "alert" });
    const form = el("form", { class: "card login", "aria-labelledby": "login-title" },
      el("h1", { id: "login-title" }, "善治 · 登录"),
      el("label", { for: "username" }, "用户名"),
      el("input", { id: "username", name: "username", autocomplete: "username", required: true }),
      el("label", { for: "password" }, "密码"),
      el("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true }),
      el("p", {}, el("button", { type: "submit" }, "登录")),
      error,
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.textContent = "";
      error.className = "flash";
      try {
        const session = await api("POST", "/session", {
          username: form.username.value.trim(),
          password: form.password.value,
        });
        await Shanzhi.loggedIn(session);
      } catch (e) {
        error.className = "flash error";
        error.textContent = e.code === "too_many_attempts"
          ? "登录失败次数过多，请稍后再试"
          : e.code === "bad_credentials" ? "用户名或密码错误" : "登录失败：" + e.message;
      }
    });
    view.append(form);
    form.username.focus();
  },
});
