"""Flag card payments for manual fraud review."""

# A payment above this amount from a new account is suspicious.
AMOUNT_LIMIT = 5000.0
# Accounts younger than this many days count as new.
NEW_ACCOUNT_DAYS = 3
# More failed logins than this in the hour before the payment is suspicious.
MAX_FAILED_LOGINS = 10


def is_fraud(tx):
    """tx: dict with float "amount", int "account_age_days", "failed_logins" and "hour"."""
    if tx["failed_logins"] > MAX_FAILED_LOGINS:
        return True
    return tx["amount"] > AMOUNT_LIMIT and tx["account_age_days"] < NEW_ACCOUNT_DAYS
