"""The rules, one module per area; importing this package registers them all."""

from . import css as css
from . import duplicates as duplicates
from . import images as images
from . import links as links
from . import message as message
from . import mjml as mjml
from . import sms as sms
from . import spam as spam
from . import template as template
