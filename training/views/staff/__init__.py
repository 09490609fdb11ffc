"""Staff pages of training (verified staff with TOTP)."""
