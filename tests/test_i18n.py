# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import polib

from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader

from odoo.tests import TransactionCase, tagged

MODULE = "helpdesk_after_sales"


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_every_term_has_a_zh_cn_translation(self):
        """Every term Odoo would export for the addon (fields, selections, views,
        menus, data, messages in code) is translated in i18n/zh_CN.po."""
        terms = {
            source
            for module, _type, _name, _res_id, source, _value, _comments in (
                TranslationModuleReader(self.env.cr, modules=[MODULE])
            )
            if module == MODULE
        }
        self.assertTrue(terms, "the addon exports no term at all")
        catalog = polib.pofile(file_path(f"{MODULE}/i18n/zh_CN.po"))
        translated = {entry.msgid for entry in catalog if entry.msgstr.strip()}
        missing = sorted(terms - translated)
        if missing:
            self.fail(
                f"{len(missing)} terms without zh_CN translation (run `make i18n`, then "
                f"translate i18n/zh_CN.po), e.g. {missing[:10]}"
            )
