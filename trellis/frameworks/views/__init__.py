"""The frameworks pages: catalogue, framework continuum, CASE import and export, action-step libraries.

Objects come through ``trellis.frameworks.access`` (404 when not visible, 403
when visible but not changeable); every change goes through one service in
``trellis.frameworks.services``; reads that cross relations live in ``selectors``.
"""

from trellis.frameworks.views.catalogue import catalogue, framework_choose_view, library_choose_view
from trellis.frameworks.views.frameworks import framework_detail, framework_export
from trellis.frameworks.views.imports import import_cancel, import_preview, import_start
from trellis.frameworks.views.libraries import (
    exemplar_add_view,
    library_copy_view,
    library_detail,
    library_list,
    step_detail,
    step_edit,
)

__all__ = [
    "catalogue",
    "exemplar_add_view",
    "framework_choose_view",
    "framework_detail",
    "framework_export",
    "import_cancel",
    "import_preview",
    "import_start",
    "library_choose_view",
    "library_copy_view",
    "library_detail",
    "library_list",
    "step_detail",
    "step_edit",
]
