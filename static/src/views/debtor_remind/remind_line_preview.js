import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { FormViewDialog } from "@web/views/view_dialogs/form_view_dialog";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";

import { Component } from "@odoo/owl";

/**
 * The eye of a line of the reminder wizard's preview: the reminder this
 * debtor would get, in a dialog on top of the wizard. An action would replace
 * the wizard's dialog (and closing the preview would lose the wizard); the
 * line need not be saved either.
 */
export class DebtorRemindLinePreview extends Component {
    static template = "account_debtor_collection.DebtorRemindLinePreview";
    static props = { ...standardWidgetProps };

    setup() {
        this.orm = useService("orm");
        this.dialog = useService("dialog");
    }

    get visible() {
        const { data } = this.props.record;
        return Boolean(data.level_id) && data.channel !== "call";
    }

    get title() {
        return _t("Preview the reminder");
    }

    async onClick() {
        const { record } = this.props;
        const wizard = record.model.root;
        const date = wizard.data.date;
        const action = await this.orm.call(
            "account.debtor.remind.line",
            "get_preview_action",
            [record.data.partner_id[0], record.data.level_id[0], date ? date.toISODate() : false]
        );
        this.dialog.add(FormViewDialog, {
            resModel: action.res_model,
            title: action.name,
            context: action.context,
            size: "xl",
        });
    }
}

registry.category("view_widgets").add("debtor_remind_line_preview", {
    component: DebtorRemindLinePreview,
});
