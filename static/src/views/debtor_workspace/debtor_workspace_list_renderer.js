import { useState } from "@odoo/owl";
import { ListRenderer } from "@web/views/list/list_renderer";

// The columns of the list while the panel is open (the original's left list:
// the customer, its totals, the last reminder and the promise): on a laptop's
// 1,280 px the other columns would push names and amounts behind a
// horizontal scroll bar; the panel shows the rest of the selected debtor.
export const PANEL_OPEN_COLUMNS = [
    "partner_id",
    "amount_due",
    "amount_overdue",
    "last_reminder_date",
    "promise_date",
];

/**
 * The overview list of the workspace: it marks the row of the debtor shown in
 * the side panel, and keeps to a few columns while the panel is open.
 */
export class DebtorWorkspaceListRenderer extends ListRenderer {
    setup() {
        super.setup();
        this.debtorWorkspace = useState(this.env.debtorWorkspace);
    }

    getActiveColumns(list) {
        const columns = super.getActiveColumns(list);
        if (!this.debtorWorkspace.showPanel) {
            return columns;
        }
        return columns.filter(
            (column) => column.type !== "field" || PANEL_OPEN_COLUMNS.includes(column.name)
        );
    }

    getRowClass(record) {
        const classNames = super.getRowClass(record);
        if (this.debtorWorkspace.showPanel && record.resId === this.debtorWorkspace.activeId) {
            return `${classNames} o_debtor_workspace_active`;
        }
        return classNames;
    }
}
