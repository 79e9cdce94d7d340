from . import account_debtor_collection_effect
from . import account_debtor_dso
