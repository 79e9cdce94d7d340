import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { graphView } from "@web/views/graph/graph_view";
import { GraphModel } from "@web/views/graph/graph_model";
import { GraphRenderer } from "@web/views/graph/graph_renderer";

// what a promise became, in the colours every list of the addon gives it
const PROMISE_COLORS = {
    kept: "#28a745",
    broken: "#dc3545",
    pending: "#17a2b8",
};

/** The total line over the stacked promises: named in the addon's words. */
export class DebtorPromiseGraphModel extends GraphModel {
    _getLabel(description) {
        return description
            ? _t("Total (%(measure)s)", { measure: description })
            : _t("Total");
    }
}

/** Promises per collector: kept green, broken red, pending blue. */
export class DebtorPromiseGraphRenderer extends GraphRenderer {
    getBarChartData() {
        const data = super.getBarChartData();
        const field = this.model.metaData.fields.promise_state;
        const stateByLabel = Object.fromEntries(
            (field?.selection || []).map(([value, label]) => [label, value])
        );
        for (const dataset of data.datasets) {
            const color = PROMISE_COLORS[stateByLabel[dataset.label]];
            if (color && dataset.type !== "line") {
                dataset.backgroundColor = color;
            }
        }
        return data;
    }
}

registry.category("views").add("debtor_promise_graph", {
    ...graphView,
    Model: DebtorPromiseGraphModel,
    Renderer: DebtorPromiseGraphRenderer,
});
