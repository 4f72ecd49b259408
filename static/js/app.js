// Desist: small progressive enhancements; pages work without it.
