import { registry } from "@web/core/registry";

// A note about one invoice, from the invoice form, seen in its Correspondence tab.
registry.category("web_tour.tours").add("account_debtor_collection_invoice_note", {
    steps: () => [
        {
            trigger: ".o_form_view button[name=action_debtor_add_note]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=contact_id] input",
            run: "edit Ilze",
        },
        {
            trigger: ".modal .o-autocomplete--dropdown-item > a:contains('Ilze Kalniņa')",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit Will pay on Friday after the board meeting",
        },
        {
            trigger: ".modal .o_field_widget[name=promise_date] input",
            run: "edit 06/19/2026",
        },
        {
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        {
            trigger: ".o_notebook a[name=debtor_correspondence]",
            run: "click",
        },
        {
            trigger:
                ".o_field_widget[name=debtor_correspondence_ids] td:contains('Will pay on Friday after the board meeting')",
        },
        {
            trigger: ".o_field_widget[name=debtor_promise_date]:contains('06/19/2026')",
        },
    ],
});

// A reminder from the debtor's form: preview, send, result.
registry.category("web_tour.tours").add("account_debtor_collection_form_reminder", {
    steps: () => [
        {
            trigger: ".o_form_view button[name=action_open_reminder]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=line_ids] td:contains('Rīgas Tekstils')",
        },
        {
            trigger: ".modal .o_field_widget[name=line_ids] td:contains('Latvian')",
        },
        {
            trigger: ".modal button[name=action_send]",
            run: "click",
        },
        {
            content: "Queued: the wizard closes and says the run goes in the background",
            trigger: "body:not(:has(.modal)) .o_notification:contains('Payment reminders queued')",
        },
        {
            trigger: ".o_notification:contains('To send: 1')",
        },
    ],
});
