from itertools import count

from odoo import Command
from odoo.tests import tagged

from .common import DebtorCollectionCommon


class WebClientForm:
    """The reminder wizard's form as the web client holds it: the values of
    every field of the view (read-only ones included), x2many fields as the
    commands the client sends (``LINK`` for the debtors, ``CREATE`` with a
    virtual id and all their values for the preview's new lines), and each
    change sent to ``onchange()`` with the whole form, as the client does.
    ``odoo.tests.Form`` does not send the read-only lines: it cannot show
    what the screen does with them."""

    def __init__(self, model, record=None):
        self.model = model
        self.record = record or model.browse()
        self.spec = self._get_spec(model)
        self.virtual_ids = count(1)
        self.deleted_ids = []
        if record:
            # an existing wizard: read as the form opens it, no change yet
            [values] = record.web_read(self.spec)
            self.values = {
                name: self._from_read(model, name, value)
                for name, value in values.items()
                if name != "id"
            }
            Line = model.env["account.debtor.remind.line"]
            self.lines = {
                line["id"]: {
                    name: self._from_read(Line, name, value)
                    for name, value in line.items()
                }
                for line in values["line_ids"]
            }
            self.partner_ids = [p["id"] for p in values["partner_ids"]]
        else:
            self.values = {}
            self.lines = {}
            self.partner_ids = []
            self._apply(model.onchange({}, [], self.spec)["value"])

    @classmethod
    def _get_spec(cls, model, view_type="form"):
        """The fields the client asks for: those of the view, a relation's
        display name, the inline list's own fields."""
        views = model.get_views([(False, view_type)])
        return cls._model_spec(model, views["models"])

    @classmethod
    def _model_spec(cls, model, models):
        spec = {}
        for name in models[model._name]["fields"]:
            field = model._fields[name]
            if field.type == "many2one":
                spec[name] = {"fields": {"display_name": {}}}
            elif field.type == "many2many":
                spec[name] = {"fields": {"display_name": {}}}
            elif field.type == "one2many":
                comodel = model.env[field.comodel_name]
                spec[name] = {"fields": cls._model_spec(comodel, models), "limit": 40}
            else:
                spec[name] = {}
        return spec

    def _from_read(self, model, name, value):
        field = model._fields[name]
        if field.type == "many2one":
            return value and value["id"]
        return value

    def _apply(self, result):
        for name, value in result.items():
            field = self.model._fields[name]
            if name == "line_ids":
                self._apply_line_commands(value)
            elif name == "partner_ids":
                self._apply_partner_commands(value)
            elif field.type == "many2one":
                self.values[name] = value and value["id"]
            else:
                self.values[name] = value

    def _apply_partner_commands(self, commands):
        for command in commands:
            if command[0] == Command.LINK:
                self.partner_ids.append(command[1])
            elif command[0] == Command.UNLINK:
                self.partner_ids.remove(command[1])
            elif command[0] in (Command.CLEAR, Command.SET):
                set_ids = command[2] if command[0] == Command.SET else []
                self.partner_ids = list(set_ids)

    def _apply_line_commands(self, commands):
        Line = self.model.env["account.debtor.remind.line"]
        for command in commands:
            if command[0] == Command.CREATE:
                virtual_id = f"virtual_{next(self.virtual_ids)}"
                values = {
                    name: self._from_read(Line, name, value)
                    for name, value in command[2].items()
                }
                self.lines[virtual_id] = values
            elif command[0] in (Command.DELETE, Command.UNLINK):
                self.lines.pop(command[1], None)
                if isinstance(command[1], int):
                    self.deleted_ids.append(command[1])
            elif command[0] == Command.UPDATE:
                self.lines[command[1]].update(command[2])
            elif command[0] == Command.CLEAR:
                self.lines.clear()

    def _line_commands(self):
        """What the client sends of the preview: its new lines with every
        value (read-only ones too), and no command for lines it read."""
        return [[Command.DELETE, line_id] for line_id in self.deleted_ids] + [
            [Command.CREATE, line_id, dict(values)]
            for line_id, values in self.lines.items()
            if isinstance(line_id, str)
        ]

    def change(self, name, value):
        """Change one field on the screen: the client sends everything."""
        if name == "partner_ids":
            self.partner_ids = list(value)
        else:
            self.values[name] = value
        values = dict(self.values)
        values["partner_ids"] = [[Command.SET, 0, list(self.partner_ids)]]
        values["line_ids"] = self._line_commands()
        # the onchange runs on a fresh cache, as in a new request
        self.model.env.invalidate_all()
        target = self.record or self.model
        self._apply(target.onchange(values, [name], self.spec)["value"])
        return self

    def line(self, partner):
        [line] = [
            values
            for values in self.lines.values()
            if values.get("partner_id") == partner.id
        ]
        return line


@tagged("post_install", "-at_install")
class TestRemindOnchange(DebtorCollectionCommon):
    """Each field of the reminder wizard changed on the screen: the preview
    keeps its debtors' real amounts, recipients and states."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice_lv = cls._create_invoice(cls.debtor_lv, 500.0, "2026-05-01")
        cls.invoice_en = cls._create_invoice(cls.debtor_en, 300.0, "2026-06-10")
        cls.lv_accounting = cls.env["res.partner"].create(
            {
                "name": "Koks grāmatvedība",
                "parent_id": cls.debtor_lv.id,
                "type": "invoice",
                "email": "gramatvediba@koks.example",
            }
        )
        debtors = cls.env["account.debtor"].search(
            [("partner_id", "in", (cls.debtor_lv | cls.debtor_en).ids)]
        )
        cls.Remind = cls.env["account.debtor.remind"].with_context(
            active_model="account.debtor", active_ids=debtors.ids
        )

    def assertPreviewSends(self, form, partner, amount):
        line = form.line(partner)
        self.assertEqual(line["state"], "to_send", line["message"])
        self.assertEqual(line["amount_overdue"], amount)
        self.assertTrue(line["recipients"])
        return line

    def test_new_wizard_each_field_changed(self):
        form = WebClientForm(self.Remind)
        line = self.assertPreviewSends(form, self.debtor_lv, 500.0)
        self.assertEqual(line["recipients"], self.lv_accounting.email_formatted)
        self.assertEqual(form.values["send_count"], 2)

        form.change("force", True)
        line = self.assertPreviewSends(form, self.debtor_lv, 500.0)
        # the invoice contact, not the company's own address
        self.assertEqual(line["recipients"], self.lv_accounting.email_formatted)
        self.assertEqual(form.values["send_count"], 2)

        form.change("date", "2026-06-05")
        self.assertPreviewSends(form, self.debtor_lv, 500.0)
        self.assertEqual(form.line(self.debtor_en)["state"], "skipped")
        self.assertEqual(form.values["send_count"], 1)

        form.change("select_all_overdue", True)
        self.assertEqual(
            set(form.partner_ids) & set((self.debtor_lv | self.debtor_en).ids),
            {self.debtor_lv.id},
        )
        self.assertPreviewSends(form, self.debtor_lv, 500.0)

        form.change("date", "2026-06-15")
        self.assertPreviewSends(form, self.debtor_en, 300.0)
        self.assertPreviewSends(form, self.debtor_lv, 500.0)

        form.change("select_all_overdue", False)
        form.change("partner_ids", [self.debtor_en.id])
        self.assertEqual(list(form.lines.values()), [form.line(self.debtor_en)])
        self.assertPreviewSends(form, self.debtor_en, 300.0)
        self.assertEqual(form.values["send_count"], 1)

    def test_saved_wizard_date_changed(self):
        """The wizard the overview's envelope opens is saved first (its
        lines are records): changing its date recomputes them right."""
        wizard = self.Remind._action_open(
            self.debtor_lv | self.debtor_en, date="2026-06-15"
        )
        wizard = self.env["account.debtor.remind"].browse(wizard["res_id"])
        form = WebClientForm(self.Remind, wizard)
        self.assertPreviewSends(form, self.debtor_en, 300.0)
        form.change("date", "2026-06-12")
        self.assertPreviewSends(form, self.debtor_en, 300.0)
        self.assertPreviewSends(form, self.debtor_lv, 500.0)
        form.change("force", True)
        self.assertPreviewSends(form, self.debtor_lv, 500.0)
        self.assertEqual(form.values["send_count"], 2)
