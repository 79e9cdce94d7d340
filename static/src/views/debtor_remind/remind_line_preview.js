import { Dialog } from "@web/core/dialog/dialog";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";

import { Component, markup } from "@odoo/owl";

/** The reminder one debtor would get: subject, recipients and body. */
export class DebtorRemindPreviewDialog extends Component {
    static template = "account_debtor_collection.DebtorRemindPreviewDialog";
    static components = { Dialog };
    static props = {
        close: Function,
        title: String,
        subject: String,
        emailTo: String,
        body: { type: Object },
        error: String,
    };
}

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
        const date = record.model.root.data.date;
        const preview = await this.orm.call("account.debtor.remind.line", "get_preview", [
            record.data.partner_id[0],
            record.data.level_id[0],
            date ? date.toISODate() : false,
        ]);
        this.dialog.add(DebtorRemindPreviewDialog, {
            title: preview.title,
            subject: preview.subject,
            emailTo: preview.email_to,
            // rendered by the server from the level's mail template
            body: markup(preview.body_html),
            error: preview.error,
        });
    }
}

registry.category("view_widgets").add("debtor_remind_line_preview", {
    component: DebtorRemindLinePreview,
});
