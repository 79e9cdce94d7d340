import { useState } from "@odoo/owl";
import { ListRenderer } from "@web/views/list/list_renderer";

/**
 * The overview list of the workspace: it marks the row of the debtor shown in
 * the side panel.
 */
export class DebtorWorkspaceListRenderer extends ListRenderer {
    setup() {
        super.setup();
        this.debtorWorkspace = useState(this.env.debtorWorkspace);
    }

    getRowClass(record) {
        const classNames = super.getRowClass(record);
        if (this.debtorWorkspace.showPanel && record.resId === this.debtorWorkspace.activeId) {
            return `${classNames} o_debtor_workspace_active`;
        }
        return classNames;
    }
}
