from . import account_debtor
