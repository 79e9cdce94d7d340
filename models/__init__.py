from . import res_company
from . import res_config_settings
from . import res_partner
from . import account_move
from . import account_move_line
from . import account_debtor
from . import account_debtor_correspondence
from . import res_users
