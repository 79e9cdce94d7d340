from . import account_debtor_remind
from . import account_debtor_remind_line
