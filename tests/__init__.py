from . import test_access
from . import test_account_debtor
from . import test_debtor_rules
from . import test_security
from . import test_remind
from . import test_correspondence
from . import test_workspace_tour
from . import test_collection_tour
