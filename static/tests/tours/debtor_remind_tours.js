import { registry } from "@web/core/registry";

const { DateTime } = luxon;

// The fixtures are built by tests/test_remind_tour.py: "Remind Alpha" owes
// 500.00 (due 30 days ago; its invoice contact is accounts@alpha.example),
// "Remind Bravo" 400.00 (due in 10 days), "Remind Charlie" 300.00 (due 30
// days ago, with 100.00 in the bank not matched yet). The user works in
// English (dates MM/DD/YYYY).

const LINES = ".modal .o_field_widget[name=line_ids]";
const line = (name) => `${LINES} .o_data_row:contains('${name}')`;

function selectRow(name) {
    return {
        content: `Tick ${name} in the overview`,
        trigger: `.o_data_row:contains('${name}') .o_list_record_selector input`,
        run: "click",
    };
}

// Every field of the wizard changed on the screen, then Send: the preview
// keeps each debtor's amounts, recipients and state (issue 24, point 1).
registry.category("web_tour.tours").add("account_debtor_remind_each_field", {
    steps: () => {
        const later = DateTime.now().plus({ days: 20 }).toFormat("MM/dd/yyyy");
        const today = DateTime.now().toFormat("MM/dd/yyyy");
        return [
            selectRow("Remind Alpha"),
            selectRow("Remind Charlie"),
            {
                content: "The envelope",
                trigger: ".o_debtor_workspace_remind.btn-primary",
                run: "click",
            },
            {
                content: "Alpha: to its invoice contact",
                trigger: `${line("Remind Alpha")}:contains('accounts@alpha.example'):contains('To Send'):contains('500.00')`,
            },
            {
                content: "Charlie: skipped, money waiting in the bank",
                trigger: `${line("Remind Charlie")}:contains('Skipped'):contains('in the bank')`,
            },
            {
                content: "Remind Again",
                trigger: ".modal .o_field_widget[name=force] input",
                run: "click",
            },
            {
                content: "Charlie is sent now; Alpha still to its invoice contact",
                trigger: `${line("Remind Charlie")}:contains('To Send'):contains('300.00')`,
            },
            {
                trigger: `${line("Remind Alpha")}:contains('accounts@alpha.example'):contains('To Send'):contains('500.00')`,
            },
            {
                trigger: ".modal .modal-footer button[name=action_send]",
            },
            {
                content: "The wizard's own date: 20 days ahead",
                trigger: ".modal .o_field_widget[name=date] input",
                run: `edit ${later} && press Enter`,
            },
            {
                trigger: `.modal .o_field_widget[name=date] input:value(${later})`,
            },
            {
                content: "Still what each owes, not 'Nothing is overdue'",
                trigger: `${line("Remind Alpha")}:contains('To Send'):contains('500.00')`,
            },
            {
                trigger: `${LINES}:not(:contains('Nothing is overdue'))`,
            },
            {
                content: "All overdue debtors at that date",
                trigger: ".modal .o_field_widget[name=select_all_overdue] input",
                run: "click",
            },
            {
                content: "Bravo is overdue 20 days ahead",
                trigger: `${line("Remind Bravo")}:contains('To Send'):contains('400.00')`,
            },
            {
                trigger: `${line("Remind Alpha")}:contains('To Send'):contains('500.00')`,
            },
            {
                content: "Back to picking by hand",
                trigger: ".modal .o_field_widget[name=select_all_overdue] input:checked",
                run: "click",
            },
            {
                content: "The debtors picked",
                trigger: ".modal .nav-link:contains('Debtors')",
                run: "click",
            },
            {
                content: "Leave Charlie out",
                trigger:
                    ".modal .o_field_widget[name=partner_ids] .o_data_row:contains('Remind Charlie') .o_list_record_remove",
                run: "click",
            },
            {
                trigger:
                    ".modal .o_field_widget[name=partner_ids]:not(:has(.o_data_row:contains('Remind Charlie')))",
            },
            {
                trigger: ".modal .nav-link:contains('Preview')",
                run: "click",
            },
            {
                trigger: `${LINES}:not(:has(.o_data_row:contains('Remind Charlie')))`,
            },
            {
                trigger: `${line("Remind Bravo")}:contains('To Send')`,
            },
            {
                trigger: `${line("Remind Alpha")}:contains('accounts@alpha.example'):contains('To Send')`,
            },
            {
                content: "A date to come is previewed, never sent",
                trigger:
                    ".modal:has(.o_field_widget[name=date_warning]) .modal-footer:not(:has(button[name=action_send]))",
            },
            {
                content: "Back to today",
                trigger: ".modal .o_field_widget[name=date] input",
                run: `edit ${today} && press Enter`,
            },
            {
                content: "Bravo is not late today",
                trigger: `${line("Remind Bravo")}:contains('Skipped'):contains('Nothing is overdue')`,
            },
            {
                trigger: `${line("Remind Alpha")}:contains('accounts@alpha.example'):contains('To Send'):contains('500.00')`,
            },
            {
                trigger: ".modal .modal-footer button[name=action_send]",
                run: "click",
            },
            {
                trigger: "body:not(:has(.modal)) .o_notification:contains('To send: 1')",
            },
        ];
    },
});

// The eye of a line: the reminder in a dialog on top of the wizard; closing
// it goes back to the wizard, which still sends (issue 24, point 2).
registry.category("web_tour.tours").add("account_debtor_remind_preview_back", {
    steps: () => [
        selectRow("Remind Alpha"),
        {
            trigger: ".o_debtor_workspace_remind.btn-primary",
            run: "click",
        },
        {
            content: "The wizard is wide: Status and reason readable",
            trigger: ".modal-dialog.modal-xl .o_field_widget[name=line_ids] .o_data_row:contains('Remind Alpha'):contains('To Send')",
        },
        {
            content: "Preview Alpha's reminder",
            trigger: `${line("Remind Alpha")} .o_debtor_remind_preview`,
            run: "click",
        },
        {
            content: "The preview, on top of the wizard",
            trigger: ".modal .o_debtor_remind_preview_body:contains('Remind Alpha')",
        },
        {
            content: "The wizard is still open beneath it",
            trigger:
                "body:has(.modal .o_field_widget[name=line_ids]):has(.modal .o_debtor_remind_preview_body)",
        },
        {
            content: "Close the preview",
            trigger: ".modal .o_debtor_remind_preview_close",
            run: "click",
        },
        {
            content: "Back in the wizard",
            trigger: "body:not(:has(.o_debtor_remind_preview_body)) .modal .o_field_widget[name=line_ids] .o_data_row:contains('Remind Alpha'):contains('To Send')",
        },
        {
            trigger: ".modal .modal-footer button[name=action_send]",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal)) .o_notification:contains('To send: 1')",
        },
    ],
});

// "Select all overdue" in the overview ticks what the wizard sends, and says
// why the others are left out (issue 24, point 4).
registry.category("web_tour.tours").add("account_debtor_remind_select_agrees", {
    steps: () => [
        {
            trigger: ".o_debtor_workspace_select_overdue",
            run: "click",
        },
        {
            content: "Alpha is ticked",
            trigger: ".o_data_row:contains('Remind Alpha') .o_list_record_selector input:checked",
        },
        {
            content: "Charlie is not: money of it waits in the bank",
            trigger: ".o_data_row:contains('Remind Charlie') .o_list_record_selector input:not(:checked)",
        },
        {
            trigger: ".o_debtor_workspace_skipped:contains('Remind Charlie'):contains('in the bank')",
        },
        {
            trigger: ".o_debtor_workspace_remind.btn-primary",
            run: "click",
        },
        {
            content: "The wizard sends to every debtor ticked",
            trigger: `${line("Remind Alpha")}:contains('To Send')`,
        },
        {
            trigger: `${LINES}:not(:has(.o_data_row:contains('Skipped')))`,
        },
        {
            trigger: ".modal .modal-footer button[name=action_send]",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal)) .o_notification:contains('To send: 1')",
        },
    ],
});
