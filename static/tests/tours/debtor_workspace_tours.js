import { registry } from "@web/core/registry";

const { DateTime } = luxon;

// The fixtures are built by tests/test_workspace_tour.py: "Workspace Debtor"
// owes 1,000.00 (due 30 days ago) and 250.00 (due 10 days ago); its contact
// is Anna Ozola; never reminded, its next level is "First Level". The user
// works in English (dates MM/DD/YYYY).

const DEBTOR_ROW = ".o_data_row:contains('Workspace Debtor')";

function selectDebtor() {
    return [
        {
            content: "Click the debtor's row: it is shown in the panel",
            trigger: `${DEBTOR_ROW} .o_data_cell[name=partner_id]`,
            run: "click",
        },
        {
            trigger: `.o_data_row.o_debtor_workspace_active:contains('Workspace Debtor')`,
        },
        {
            trigger: ".o_debtor_workspace_panel .o_debtor_panel_title:contains('Workspace Debtor')",
        },
        {
            trigger: ".o_debtor_workspace_panel:not(.o_debtor_workspace_panel_loading) .o_debtor_panel_invoice",
        },
    ];
}

registry.category("web_tour.tours").add("account_debtor_workspace_invoices", {
    steps: () => [
        {
            content: "The panel waits for a debtor",
            trigger: ".o_debtor_workspace_view .o_debtor_workspace_panel .o_debtor_panel_placeholder",
        },
        ...selectDebtor(),
        {
            // beside the panel the list keeps to a few columns: the level is
            // in the panel (and in the list when the panel is hidden)
            content: "Its next reminder level, in the panel",
            trigger: ".o_debtor_panel_header .o_debtor_panel_level:contains('First Level')",
        },
        {
            content: "Its two unpaid invoices, the oldest due first",
            trigger: ".o_debtor_panel_invoice_count:contains(2)",
        },
        {
            trigger: ".o_debtor_panel_invoice:eq(0):contains('1,000.00')",
        },
        {
            content: "30 days late",
            trigger: ".o_debtor_panel_invoice:eq(0) td:eq(3):contains(30)",
        },
        {
            trigger: ".o_debtor_panel_invoice:eq(1):contains('250.00')",
        },
        {
            trigger: ".o_debtor_panel_invoice:eq(1) td:eq(3):contains(10)",
        },
        {
            content: "No correspondence yet",
            trigger: ".o_debtor_panel_entry_count:contains(0)",
        },
        {
            content: "Open an invoice",
            trigger: ".o_debtor_panel_invoice:eq(0) .o_debtor_panel_invoice_open",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=partner_id]:contains('Workspace Debtor')",
        },
        {
            content: "Back to the workspace",
            trigger: ".o_breadcrumb .o_back_button a",
            run: "click",
        },
        {
            content: "The panel still shows the debtor",
            trigger: ".o_debtor_workspace_panel .o_debtor_panel_title:contains('Workspace Debtor')",
        },
        {
            trigger: ".o_data_row.o_debtor_workspace_active:contains('Workspace Debtor')",
        },
        {
            trigger: ".o_debtor_panel_invoice_count:contains(2)",
        },
    ],
});

registry.category("web_tour.tours").add("account_debtor_workspace_add_note", {
    steps: () => [
        ...selectDebtor(),
        {
            content: "Select the oldest invoice",
            trigger: ".o_debtor_panel_invoice:contains('1,000.00') td:eq(1)",
            run: "click",
        },
        {
            trigger: ".o_debtor_panel_invoice_selected:contains('1,000.00')",
        },
        {
            content: "Add a note about it",
            trigger: ".o_debtor_panel_add_note:contains('Add Note on')",
            run: "click",
        },
        {
            content: "The contact person spoken to",
            trigger: ".modal .o_field_widget[name=contact_id] input",
            run: "edit Anna",
        },
        {
            trigger: ".modal .o_field_widget[name=contact_id] .o-autocomplete--dropdown-item a:contains('Anna Ozola')",
            run: "click",
        },
        {
            content: "The date the debtor promised to pay",
            trigger: ".modal .o_field_widget[name=promise_date] input",
            run: "edit 12/31/2099",
        },
        {
            content: "What was promised",
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit Promised to pay by wire transfer",
        },
        {
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The note is in the timeline",
            trigger: "body:not(:has(.modal)) .o_debtor_panel_entry_note:contains('Promised to pay by wire transfer')",
        },
        {
            trigger: ".o_debtor_panel_entry:contains('Promised to pay by wire transfer') .o_debtor_panel_entry_contact:contains('Anna Ozola')",
        },
        {
            trigger: ".o_debtor_panel_entry:contains('Promised to pay by wire transfer') .o_debtor_panel_entry_promise:contains('12/31/2099')",
        },
        {
            content: "The promise date is in the debtor's row",
            trigger: `${DEBTOR_ROW} .o_data_cell[name=promise_date]:contains('12/31/2099')`,
        },
    ],
});

registry.category("web_tour.tours").add("account_debtor_workspace_edit_note", {
    steps: () => [
        ...selectDebtor(),
        {
            content: "Double click the note to edit it",
            trigger: ".o_debtor_panel_entry:contains('Promised to pay by wire transfer')",
            run: "dblclick",
        },
        {
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit Pays on Friday, confirmed by phone",
        },
        {
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal)) .o_debtor_panel_entry_note:contains('Pays on Friday, confirmed by phone')",
        },
        {
            trigger: ".o_debtor_panel_timeline:not(:has(.o_debtor_panel_entry:contains('wire transfer')))",
        },
        {
            content: "The pencil opens it too",
            trigger: ".o_debtor_panel_entry:contains('Pays on Friday') .o_debtor_panel_entry_edit",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit Pays on Friday, confirmed twice",
        },
        {
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal)) .o_debtor_panel_entry_note:contains('Pays on Friday, confirmed twice')",
        },
    ],
});

registry.category("web_tour.tours").add("account_debtor_workspace_hide_panel", {
    steps: () => [
        ...selectDebtor(),
        {
            content: "Hide the panel",
            trigger: ".o_debtor_workspace_toggle.active",
            run: "click",
        },
        {
            trigger: ".o_debtor_workspace_view.o_debtor_workspace_panel_hidden:not(:has(.o_debtor_workspace_panel)) .o_debtor_workspace_toggle:not(.active)",
            run() {
                window.location.reload();
            },
        },
        {
            content: "Still hidden after a reload: the choice was stored",
            trigger: ".o_debtor_workspace_view.o_debtor_workspace_panel_hidden .o_data_row",
        },
        {
            trigger: ".o_debtor_workspace_view:not(:has(.o_debtor_workspace_panel))",
        },
    ],
});

registry.category("web_tour.tours").add("account_debtor_workspace_show_panel", {
    steps: () => [
        {
            content: "Hidden, as stored: the list is full width",
            trigger: ".o_debtor_workspace_view.o_debtor_workspace_panel_hidden:not(:has(.o_debtor_workspace_panel)) .o_data_row",
        },
        {
            content: "Without the panel, a row opens the debtor's form",
            trigger: `${DEBTOR_ROW} .o_data_cell[name=partner_id]`,
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=partner_id]:contains('Workspace Debtor')",
        },
        {
            trigger: ".o_breadcrumb .o_back_button a",
            run: "click",
        },
        {
            content: "Bring the panel back",
            trigger: ".o_debtor_workspace_panel_hidden .o_debtor_workspace_toggle:not(.active)",
            run: "click",
        },
        {
            trigger: ".o_debtor_workspace_view:not(.o_debtor_workspace_panel_hidden) .o_debtor_workspace_panel .o_debtor_panel_placeholder",
        },
        ...selectDebtor(),
    ],
});

registry.category("web_tour.tours").add("account_debtor_workspace_remind", {
    steps: () => [
        ...selectDebtor(),
        {
            content: "Send this debtor a reminder",
            trigger: ".o_debtor_panel_remind",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=line_ids] .o_data_row:contains('Workspace Debtor')",
        },
        {
            trigger: ".modal .modal-footer button[name=action_send]",
            run: "click",
        },
        {
            content: "Queued: sent in the background, the wizard closes",
            trigger: "body:not(:has(.modal)) .o_notification:contains('Payment reminders queued')",
        },
        {
            trigger: ".o_notification:contains('To send: 1')",
        },
    ],
});

// After the run was sent: the reminder in the timeline, with its delivery.
registry.category("web_tour.tours").add("account_debtor_workspace_reminder_logged", {
    steps: () => [
        ...selectDebtor(),
        {
            content: "The reminder is in the timeline, with its envelope",
            trigger: ".o_debtor_panel_entry_reminder .o_debtor_panel_entry_icon .fa-envelope",
        },
        {
            content: "and where its e-mail is",
            trigger: ".o_debtor_panel_entry_reminder .o_debtor_panel_entry_delivery:contains('Queued')",
        },
        {
            trigger: ".o_debtor_panel_entry_count:contains(1)",
        },
        {
            content: "and its date in the debtor's row",
            trigger: `${DEBTOR_ROW} .o_data_cell[name=last_reminder_date]:not(:empty)`,
        },
    ],
});

registry.category("web_tour.tours").add("account_debtor_workspace_select_overdue", {
    steps: () => {
        const asOf = DateTime.now().plus({ days: 20 }).toFormat("MM/dd/yyyy");
        const today = DateTime.now().toFormat("MM/dd/yyyy");
        return [
            {
                content: "Not yet overdue today",
                trigger: `.o_debtor_workspace_view ${DEBTOR_ROW}`,
            },
            {
                trigger: ".o_debtor_workspace_view .o_list_renderer:not(:has(.o_data_row:contains('Later Debtor')))",
            },
            {
                content: "Look 20 days ahead",
                trigger: ".o_debtor_workspace_as_of input",
                run: `edit ${asOf} && press Enter`,
            },
            {
                content: "Overdue then",
                trigger: ".o_data_row:contains('Later Debtor')",
            },
            {
                trigger: ".o_debtor_workspace_select_overdue",
                run: "click",
            },
            {
                trigger: ".o_data_row:contains('Later Debtor') .o_list_record_selector input:checked",
            },
            {
                trigger: `${DEBTOR_ROW} .o_list_record_selector input:checked`,
            },
            {
                content: "Excluded from reminders: not selected",
                trigger: ".o_data_row:contains('Excluded Debtor') .o_list_record_selector input:not(:checked)",
            },
            {
                content: "The envelope: a reminder to each selected debtor at that date",
                trigger: ".o_debtor_workspace_remind.btn-primary",
                run: "click",
            },
            {
                trigger: `.modal .o_field_widget[name=date] input:value(${asOf})`,
            },
            {
                trigger: ".modal .o_field_widget[name=line_ids] .o_data_row:contains('Later Debtor')",
            },
            {
                content: "A date to come is previewed, not sent",
                trigger: ".modal:has(.o_field_widget[name=date_warning]) .modal-footer:not(:has(button[name=action_send]))",
            },
            {
                content: "Back to today",
                trigger: ".modal .o_field_widget[name=date] input",
                run: `edit ${today} && press Enter`,
            },
            {
                content: "Not late today: skipped, with the reason",
                trigger: ".modal .o_field_widget[name=line_ids] .o_data_row:contains('Later Debtor'):contains('Nothing is overdue')",
            },
            {
                trigger: ".modal .o_field_widget[name=line_ids] .o_data_row:contains('Workspace Debtor')",
            },
            {
                trigger: ".modal .modal-footer button[name=action_send]",
                run: "click",
            },
            {
                trigger: "body:not(:has(.modal)) .o_notification:contains('To send: 1')",
            },
            {
                content: "The selection stays",
                trigger: "body:not(:has(.modal)) .o_data_row:contains('Later Debtor') .o_list_record_selector input:checked",
            },
            {
                content: "Open the debtor from the panel",
                trigger: ".o_data_row:contains('Later Debtor') .o_data_cell[name=partner_id]",
                run: "click",
            },
            {
                trigger: ".o_debtor_panel_title:contains('Later Debtor')",
            },
            {
                trigger: ".o_debtor_panel_open",
                run: "click",
            },
            {
                trigger: ".o_form_view .o_field_widget[name=partner_id]:contains('Later Debtor')",
            },
            {
                trigger: ".o_breadcrumb .o_back_button a",
                run: "click",
            },
            {
                content: "Back in the workspace: still at that date",
                trigger: `.o_debtor_workspace_as_of input:value(${asOf})`,
            },
            {
                trigger: ".o_data_row.o_debtor_workspace_active:contains('Later Debtor')",
            },
        ];
    },
});

registry.category("web_tour.tours").add("account_debtor_workspace_show_more", {
    steps: () => [
        {
            trigger: ".o_data_row:contains('Many Invoices Debtor') .o_data_cell[name=partner_id]",
            run: "click",
        },
        {
            content: "A first page of 40 invoices out of 45",
            trigger: ".o_debtor_panel_invoice_count:contains(45)",
        },
        {
            trigger: ".o_debtor_panel_invoice:eq(39)",
        },
        {
            trigger: ".o_debtor_panel_invoices:not(:has(.o_debtor_panel_invoice:eq(40)))",
        },
        {
            trigger: ".o_debtor_panel_more_invoices:contains('40 / 45')",
            run: "click",
        },
        {
            content: "All of them",
            trigger: ".o_debtor_panel_invoice:eq(44)",
        },
        {
            trigger: ".o_debtor_panel_invoices:not(:has(.o_debtor_panel_more_invoices))",
        },
    ],
});

// A read-only auditor sees the figures, not the buttons that would refuse it.
registry.category("web_tour.tours").add("account_debtor_workspace_auditor", {
    steps: () => [
        ...selectDebtor(),
        {
            content: "The debtor's invoices are there to read",
            trigger: ".o_debtor_panel_invoice_count:contains(2)",
        },
        {
            content: "No reminder or note buttons in the panel",
            trigger: ".o_debtor_workspace_panel:not(:has(.o_debtor_panel_actions))",
        },
        {
            content: "No Select All Overdue, no envelope in the control panel",
            trigger: ".o_debtor_workspace_view:not(:has(.o_debtor_workspace_select_overdue)):not(:has(.o_debtor_workspace_remind))",
        },
        {
            content: "The as-of date is still there to read the figures at",
            trigger: ".o_debtor_workspace_as_of",
        },
    ],
});
