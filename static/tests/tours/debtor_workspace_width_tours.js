import { registry } from "@web/core/registry";

// Built by tests/test_workspace_width_tour.py in a 1,280 px wide browser: the
// overview with the panel open shows each customer's name and amounts whole,
// with no horizontal scroll bar (issue 24, point 2).

const ROW = ".o_data_row:contains('Müller Maschinenbau GmbH')";

function assertNotCut(element, what) {
    if (element.scrollWidth > element.clientWidth + 1) {
        throw new Error(
            `${what} is cut: ${element.scrollWidth}px of content in ${element.clientWidth}px`
        );
    }
}

registry.category("web_tour.tours").add("account_debtor_workspace_width", {
    steps: () => [
        {
            content: "Open the debtor in the panel",
            trigger: `.o_debtor_workspace_view ${ROW} td[name=partner_id]`,
            run: "click",
        },
        {
            trigger: ".o_debtor_workspace_panel:contains('Müller Maschinenbau GmbH')",
        },
        {
            content: "Names and amounts readable beside the panel",
            trigger: `.o_debtor_workspace_view ${ROW}.o_debtor_workspace_active`,
            run() {
                if (window.innerWidth > 1280) {
                    throw new Error(`the window is ${window.innerWidth}px wide, not 1280`);
                }
                const list = document.querySelector(
                    ".o_debtor_workspace_view .o_content > .o_list_renderer"
                );
                assertNotCut(list, "The list (horizontal scroll bar)");
                for (const name of ["partner_id", "amount_due", "amount_overdue"]) {
                    const cell = this.anchor.querySelector(`td[name=${name}]`);
                    if (!cell) {
                        throw new Error(`no ${name} column beside the panel`);
                    }
                    assertNotCut(cell, name);
                }
            },
        },
        {
            content: "Hide the panel: every column again",
            trigger: ".o_debtor_workspace_toggle",
            run: "click",
        },
        {
            trigger: `.o_debtor_workspace_view ${ROW} td[name=level_id]`,
        },
        {
            trigger: `.o_debtor_workspace_view ${ROW} td[name=invoice_count]`,
        },
        {
            content: "Show it again, for the next tests",
            trigger: ".o_debtor_workspace_toggle",
            run: "click",
        },
        {
            trigger: ".o_debtor_workspace_panel",
        },
    ],
});
