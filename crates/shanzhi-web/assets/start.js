// Runs last (deferred scripts run in order): every page has registered itself.
"use strict";
Shanzhi.start();
