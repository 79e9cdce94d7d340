import { registry } from "@web/core/registry";
import { listView } from "@web/views/list/list_view";
import { DebtorWorkspaceListController } from "./debtor_workspace_list_controller";
import { DebtorWorkspaceListRenderer } from "./debtor_workspace_list_renderer";
import { DebtorWorkspaceSearchModel } from "./debtor_workspace_search_model";

/** The overview of unpaid invoice totals as a workspace (`js_class`). */
export const debtorWorkspaceListView = {
    ...listView,
    Controller: DebtorWorkspaceListController,
    Renderer: DebtorWorkspaceListRenderer,
    SearchModel: DebtorWorkspaceSearchModel,
};

registry.category("views").add("debtor_workspace_list", debtorWorkspaceListView);
