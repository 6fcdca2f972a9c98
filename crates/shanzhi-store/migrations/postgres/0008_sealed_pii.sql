-- The sealed (encrypted) form of a party's ID number and phone, which staff allowed to unmask
-- open per case, each time logged in `pii_unmaskings`. XChaCha20-Poly1305 under a key derived
-- from the personal-data secret (`v1:{kind}:{hex}`); the clear number is never stored.
-- Parties registered before this migration keep NULL: their numbers were never kept and cannot
-- be unmasked. Adding columns does not touch the append-only triggers of 0002.
ALTER TABLE parties ADD COLUMN id_sealed TEXT;
ALTER TABLE parties ADD COLUMN phone_sealed TEXT;
