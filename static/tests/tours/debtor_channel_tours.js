import { registry } from "@web/core/registry";

// The fixtures are built by tests/test_channel_tour.py.

registry.category("web_tour.tours").add("account_debtor_level_channels", {
    steps: () => [
        {
            content: "Open the level",
            trigger: ".o_data_row .o_data_cell[name=name]:contains('Channel Level')",
            run: "click",
        },
        {
            content: "An e-mail level asks for its text, not for an SMS text",
            trigger: ".o_form_view .o_field_widget[name=mail_template_id]",
        },
        {
            trigger: ".o_form_view:not(:has(.o_field_widget[name=sms_text]))",
        },
        {
            content: "Send it by SMS",
            trigger: ".o_field_widget[name=channel] input[data-value=sms]",
            run: "click",
        },
        {
            content: "An SMS level has no mail template, but an SMS text",
            trigger: ".o_form_view:not(:has(.o_field_widget[name=mail_template_id]))",
        },
        {
            content: "A printed letter when the customer has no mobile",
            trigger: ".o_field_widget[name=fallback_channel] select",
            run: `select "letter"`,
        },
        {
            content: "The letter's text is asked for again",
            trigger: ".o_form_view .o_field_widget[name=mail_template_id]",
        },
        {
            trigger: ".o_field_widget[name=sms_text] textarea",
            run: "edit {company}: {amount} overdue. Pay: {url}",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_view .o_form_saved",
        },
    ],
});

registry.category("web_tour.tours").add("account_debtor_reply_timeline", {
    steps: () => [
        {
            content: "Select the debtor",
            trigger: ".o_data_row:contains('Reply Debtor') .o_data_cell[name=partner_id]",
            run: "click",
        },
        {
            content: "The reply is in the timeline, with its own icon",
            trigger: ".o_debtor_panel_entry_reply .o_debtor_panel_entry_icon .fa-reply",
        },
        {
            content: "from the customer's contact, with its text",
            trigger: ".o_debtor_panel_entry_reply:contains('Jane Payables'):contains('on Friday')",
        },
        {
            content: "still to answer",
            trigger: ".o_debtor_panel_entry_reply .o_debtor_panel_entry_reply_state:contains('To Answer')",
        },
        {
            content: "with its attachment",
            trigger: ".o_debtor_panel_entry_reply .o_debtor_panel_entry_attachment:contains('payment-order.pdf')",
        },
        {
            content: "the reminder it answers: an e-mail",
            trigger: ".o_debtor_panel_entry_reminder .o_debtor_panel_entry_icon .fa-envelope",
        },
    ],
});
