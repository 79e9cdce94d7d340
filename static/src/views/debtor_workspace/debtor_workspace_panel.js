import { Component, onWillStart, onWillUpdateProps, useState } from "@odoo/owl";
import { formatCurrency } from "@web/core/currency";
import { _t } from "@web/core/l10n/translation";
import { deserializeDate, formatDate } from "@web/core/l10n/dates";
import { KeepLast } from "@web/core/utils/concurrency";
import { useService } from "@web/core/utils/hooks";
import { FormViewDialog } from "@web/views/view_dialogs/form_view_dialog";

/** How many invoices, and how many correspondence entries, a page shows. */
export const PANEL_PAGE_SIZE = 40;

/** The moves a note can be about (the others are payments and entries). */
const NOTE_MOVE_TYPES = ["out_invoice", "out_refund", "out_receipt"];

/**
 * The right-hand panel of the debtor workspace: the unpaid invoices and the
 * correspondence of one debtor, with its actions (a note about the debtor or
 * about the selected invoice, a reminder, editing an entry).
 *
 * One server call (`account.debtor.workspace.get_workspace_panel`) loads it; "Show
 * more" loads the next page of either list. After a dialog closes, the panel
 * tells the workspace (`onChanged`), which reloads the list and bumps
 * `version`, which reloads the panel.
 */
export class DebtorWorkspacePanel extends Component {
    static template = "account_debtor_collection.DebtorWorkspacePanel";
    static props = {
        debtorId: { type: [Number, Boolean] },
        debtor: { type: Object, optional: true },
        asOfDate: { type: [String, Boolean] },
        version: Number,
        onChanged: Function,
        onOpenDebtor: Function,
    };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.dialog = useService("dialog");
        this.keepLast = new KeepLast();
        this.labels = {
            selectInvoice: _t("Select it to add a note about it"),
            doubleClickToEdit: _t("Double-click to edit"),
            edit: _t("Edit"),
            view: _t("View"),
            answersReminderOf: _t("Answers the reminder of"),
        };
        this.state = useState({
            loading: false,
            found: true,
            invoices: [],
            invoiceCount: 0,
            entries: [],
            entryCount: 0,
            selectedInvoiceId: false,
        });
        onWillStart(() => this.load(this.props));
        onWillUpdateProps((nextProps) => {
            const debtorChanged = nextProps.debtorId !== this.props.debtorId;
            if (debtorChanged) {
                this.state.selectedInvoiceId = false;
            }
            if (
                debtorChanged ||
                nextProps.asOfDate !== this.props.asOfDate ||
                nextProps.version !== this.props.version
            ) {
                // not awaited: the list shows the new row at once, the panel
                // follows when its data is there
                this.load(nextProps, { keepPages: !debtorChanged });
            }
        });
    }

    // -------------------------------------------------------------------------
    // Data
    // -------------------------------------------------------------------------

    _context(props = this.props) {
        return props.asOfDate ? { debtor_as_of_date: props.asOfDate } : {};
    }

    /**
     * Loads the first pages (as many rows as shown with `keepPages`).
     */
    async load(props, { keepPages = false } = {}) {
        if (!props.debtorId) {
            Object.assign(this.state, { loading: false, invoices: [], entries: [] });
            return;
        }
        this.state.loading = true;
        const kwargs = {
            invoice_limit: keepPages
                ? Math.max(PANEL_PAGE_SIZE, this.state.invoices.length)
                : PANEL_PAGE_SIZE,
            log_limit: keepPages
                ? Math.max(PANEL_PAGE_SIZE, this.state.entries.length)
                : PANEL_PAGE_SIZE,
        };
        const values = await this.keepLast.add(
            this.orm.call("account.debtor.workspace", "get_workspace_panel", [[props.debtorId]], {
                ...kwargs,
                context: this._context(props),
            })
        );
        const selectedInvoiceId = values.invoices.some(
            (invoice) => invoice.id === this.state.selectedInvoiceId
        )
            ? this.state.selectedInvoiceId
            : false;
        Object.assign(this.state, {
            loading: false,
            found: values.found,
            invoices: values.invoices,
            invoiceCount: values.invoice_count,
            entries: values.entries,
            entryCount: values.entry_count,
            selectedInvoiceId,
        });
    }

    /**
     * Loads the next page of one list ("Show more").
     * @param {"invoices"|"entries"} list
     */
    async loadMore(list) {
        const { debtorId } = this.props;
        const kwargs =
            list === "invoices"
                ? { invoice_offset: this.state.invoices.length, log_limit: 0 }
                : { log_offset: this.state.entries.length, invoice_limit: 0 };
        const values = await this.orm.call("account.debtor.workspace", "get_workspace_panel", [[debtorId]], {
            invoice_limit: PANEL_PAGE_SIZE,
            log_limit: PANEL_PAGE_SIZE,
            ...kwargs,
            context: this._context(),
        });
        if (debtorId !== this.props.debtorId || this.state.loading) {
            return; // another debtor, or a reload on its way
        }
        if (list === "invoices") {
            this.state.invoices.push(...values.invoices);
            this.state.invoiceCount = values.invoice_count;
        } else {
            this.state.entries.push(...values.entries);
            this.state.entryCount = values.entry_count;
        }
    }

    // -------------------------------------------------------------------------
    // Formatting
    // -------------------------------------------------------------------------

    formatDate(value) {
        if (!value) {
            return "";
        }
        return formatDate(typeof value === "string" ? deserializeDate(value) : value);
    }

    formatAmount(amount, currencyId) {
        return formatCurrency(amount, currencyId);
    }

    invoiceAmountTitle(invoice) {
        if (invoice.currency_id === invoice.company_currency_id) {
            return "";
        }
        return formatCurrency(invoice.amount_residual, invoice.company_currency_id);
    }

    promiseBadgeClass(state) {
        return (
            {
                pending: "text-bg-info",
                kept: "text-bg-success",
                broken: "text-bg-danger",
            }[state] || "text-bg-secondary"
        );
    }

    deliveryBadgeClass(state) {
        return (
            {
                queued: "text-bg-light",
                sent: "text-bg-success",
                bounced: "text-bg-danger",
                failed: "text-bg-danger",
            }[state] || "text-bg-secondary"
        );
    }

    entryIcon(entry) {
        if (entry.source === "portal") {
            // written by the customer on its collection page
            return "fa-globe";
        }
        if (entry.kind === "reminder" && entry.channel === "letter") {
            return "fa-print";
        }
        if (entry.kind === "reminder" && entry.channel === "call") {
            return "fa-phone";
        }
        if (entry.kind === "reminder" && entry.channel === "sms") {
            return "fa-mobile";
        }
        if (entry.kind === "reminder" && entry.channel === "post") {
            return "fa-paper-plane";
        }
        return (
            { reminder: "fa-envelope", dispute: "fa-gavel", reply: "fa-reply" }[entry.kind] ||
            "fa-pencil"
        );
    }

    // -------------------------------------------------------------------------
    // Invoices
    // -------------------------------------------------------------------------

    get selectedInvoice() {
        return this.state.invoices.find((inv) => inv.id === this.state.selectedInvoiceId);
    }

    canSelectInvoice(invoice) {
        return NOTE_MOVE_TYPES.includes(invoice.move_type);
    }

    onInvoiceClick(invoice) {
        if (!this.canSelectInvoice(invoice)) {
            return;
        }
        this.state.selectedInvoiceId =
            this.state.selectedInvoiceId === invoice.id ? false : invoice.id;
    }

    onInvoiceOpen(invoice) {
        return this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "account.move",
            res_id: invoice.id,
            views: [[false, "form"]],
        });
    }

    // -------------------------------------------------------------------------
    // Actions
    // -------------------------------------------------------------------------

    /** Runs a server action of the panel in a dialog, then refreshes. */
    async _doDialogAction(action) {
        await this.action.doAction(action, { onClose: () => this.props.onChanged() });
    }

    async onAddNote() {
        const invoice = this.selectedInvoice;
        const action = invoice
            ? await this.orm.call("account.move", "action_debtor_add_note", [[invoice.id]])
            : await this.orm.call("account.debtor", "action_add_note", [[this.props.debtorId]]);
        await this._doDialogAction(action);
    }

    async onOpenDispute() {
        const action = await this.orm.call("account.move", "action_debtor_open_dispute", [
            [this.selectedInvoice.id],
        ]);
        await this._doDialogAction(action);
    }

    async onRemind() {
        const action = await this.orm.call(
            "account.debtor.workspace",
            "action_open_workspace_reminder",
            [[this.props.debtorId]],
            { context: this._context() }
        );
        await this._doDialogAction(action);
    }

    onEditEntry(entry) {
        this.dialog.add(
            FormViewDialog,
            {
                resModel: "account.debtor.correspondence",
                resId: entry.id,
                title: entry.editable
                    ? _t("Edit %(kind)s", { kind: entry.kind_label })
                    : entry.kind_label,
                preventEdit: !entry.editable,
            },
            { onClose: () => this.props.onChanged() }
        );
    }
}
