"""What the security tests share: a hasher that counts."""

from django.contrib.auth.hashers import MD5PasswordHasher

# Every factory account's password (tests/factories.py).
RIGHT = "correct horse battery staple"


class CountingHasher(MD5PasswordHasher):
    """The tests' fast hasher, counting every hash it works out (checking
    a password, or the stand-in hash for an unknown username)."""

    hashes = 0

    def encode(self, password, salt):
        CountingHasher.hashes += 1
        return super().encode(password, salt)


COUNTING = [f"{__name__}.CountingHasher"]
