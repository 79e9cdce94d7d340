import { registry } from "@web/core/registry";

// tests/test_interest_reference_rate_tour.py: the administrator, in English
// (dates MM/DD/YYYY), adds the reference rate of a half-year to come.

registry.category("web_tour.tours").add("account_debtor_interest_rates", {
    steps: () => [
        {
            content: "The rates by half-year, beside the fallback rate and the margin",
            trigger: "#debtor_interest_rate button:contains('Reference Rates by Half-Year')",
            run: "click",
        },
        {
            content: "The rates the addon ships",
            trigger: ".o_list_view .o_data_row .o_data_cell[name=date_from]:contains('01/01/2026')",
        },
        {
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_selected_row .o_field_widget[name=date_from] input",
            run: "edit 01/01/2027",
        },
        {
            trigger: ".o_selected_row .o_field_widget[name=rate] input",
            run: "edit 2.40",
        },
        {
            trigger: ".o_list_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_data_row:not(.o_selected_row):contains('01/01/2027'):contains('2.40')",
        },
    ],
});
