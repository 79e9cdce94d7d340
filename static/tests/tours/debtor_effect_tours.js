import { registry } from "@web/core/registry";

/**
 * The chart the graph view drew, read back from Chart.js: labels and the
 * values of its first dataset.
 */
function readChart() {
    const canvas = document.querySelector(".o_graph_canvas_container canvas");
    const chart = canvas && window.Chart && window.Chart.getChart(canvas);
    if (!chart) {
        throw new Error("No chart drawn");
    }
    return {
        labels: chart.data.labels.map(String),
        values: chart.data.datasets.map((dataset) => dataset.data).flat(),
        datasets: chart.data.datasets.map((dataset) => dataset.label),
    };
}

function menu(xmlid) {
    return `[data-menu-xmlid='${xmlid}']`;
}

// The collector's day, from the worklist: then whether the reminders bring money
// back, then where the money is.
registry.category("web_tour.tours").add("account_debtor_collection_effect", {
    steps: () => [
        {
            trigger: ".o_breadcrumb:contains('My Worklist')",
        },
        {
            // largest amount first; the debtor with nothing to do is not there
            trigger:
                ".o_list_view .o_data_row:eq(0) .o_data_cell[name=partner_id]:contains('Broken Promise Debtor')",
        },
        {
            trigger:
                ".o_list_view .o_data_row:eq(1) .o_data_cell[name=partner_id]:contains('Worklist Debtor')",
        },
        {
            trigger: ".o_list_view:not(:has(.o_data_row:contains('Quiet Debtor')))",
        },
        {
            trigger: ".o_data_row:contains('Worklist Debtor') .o_data_cell[name=partner_id]",
            run: "click",
        },
        {
            // one click: the workspace panel shows the debtor
            trigger: ".o_debtor_workspace_panel .o_debtor_panel_title:contains('Worklist Debtor')",
        },
        {
            trigger: `.o_menu_sections ${menu("account.menu_finance_reports")}`,
            run: "click",
        },
        {
            trigger: `.dropdown-item${menu("account_debtor_collection.menu_account_debtor_collection_effect")}`,
            run: "click",
        },
        {
            trigger: ".o_graph_view .o_graph_canvas_container canvas",
            run() {
                const chart = readChart();
                // one month of reminders: 1,000 asked, 400 paid within 14 days
                if (chart.values.length !== 1 || Math.abs(chart.values[0] - 40) > 0.01) {
                    throw new Error(`Paid within 14 days: ${JSON.stringify(chart)}`);
                }
            },
        },
        {
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            trigger: ".o_pivot .o_pivot_measure_row:contains('Paid within 30 Days (%)')",
        },
        {
            trigger: ".o_pivot tbody tr:first-child td:contains('1,000.00')",
        },
        {
            trigger: `.o_menu_sections ${menu("account.menu_finance_reports")}`,
            run: "click",
        },
        {
            trigger: `.dropdown-item${menu("account_debtor_collection.menu_account_debtor_ageing")}`,
            run: "click",
        },
        {
            trigger: ".o_breadcrumb:contains('Receivables Ageing')",
        },
        {
            trigger: ".o_graph_view .o_graph_canvas_container canvas",
            run() {
                const chart = readChart();
                // the ageing of the collector's debtors, stacked by bucket
                if (!chart.labels.includes("Effect Collector")) {
                    throw new Error(`No bar of the collector: ${JSON.stringify(chart)}`);
                }
                // the oldest bucket by default: the 31-60 days debtor is not in it
                if (chart.values.length !== 1 || Math.abs(chart.values[0] - 2000) > 0.01) {
                    throw new Error(`Over 90 days: ${JSON.stringify(chart)}`);
                }
            },
        },
    ],
});
