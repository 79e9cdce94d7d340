import { registry } from "@web/core/registry";

// The debtor on its own page, opened from the link of a reminder: it sees its
// late invoice, promises a date and sees the confirmation.
registry.category("web_tour.tours").add("account_debtor_collection_portal_promise", {
    steps: () => [
        {
            content: "The late invoice is listed, with the days late",
            trigger: ".o_debtor_portal_items tr.table-danger:contains('INV/')",
        },
        {
            trigger: ".o_debtor_portal_pay",
        },
        {
            trigger: ".o_debtor_portal_promise_form textarea[name=message]",
            run: "edit We pay after the board meeting",
        },
        {
            trigger: ".o_debtor_portal_promise_form input[name=promise_date]",
            content: "A date too far ahead: past the browser's own check, the server says why",
            run() {
                this.anchor.removeAttribute("max");
                this.anchor.value = "2999-12-31";
            },
        },
        {
            trigger: ".o_debtor_portal_promise_submit",
            run: "click",
        },
        {
            trigger: ".o_debtor_portal_promise_form .o_debtor_portal_error",
        },
        {
            content: "Nothing typed is lost",
            trigger:
                ".o_debtor_portal_promise_form textarea[name=message]:value(We pay after the board meeting)",
        },
        {
            trigger: ".o_debtor_portal_promise_form input[name=promise_date]",
            run() {
                this.anchor.value = this.anchor.getAttribute("min");
            },
        },
        {
            trigger: ".o_debtor_portal_promise_submit",
            run: "click",
        },
        {
            trigger: ".o_debtor_portal_thanks",
        },
        {
            trigger: ".o_debtor_portal_promise",
        },
    ],
});

// The collector sees the customer's answer in the workspace's timeline, with
// the globe of the customer's page and the customer's contact as author.
registry.category("web_tour.tours").add("account_debtor_collection_portal_in_workspace", {
    steps: () => [
        {
            trigger: ".o_data_row:contains('SIA Koks') .o_data_cell[name=partner_id]",
            run: "click",
        },
        {
            trigger:
                ".o_debtor_panel_entry_portal .o_debtor_panel_entry_icon .fa-globe",
        },
        {
            trigger: ".o_debtor_panel_entry_portal .o_debtor_panel_entry_source",
        },
        {
            trigger: ".o_debtor_panel_entry_portal:contains('SIA Koks'):contains('We pay on Friday')",
        },
    ],
});
