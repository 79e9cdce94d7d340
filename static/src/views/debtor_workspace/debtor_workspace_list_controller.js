import { markup, onWillStart, useState, useSubEnv } from "@odoo/owl";
import { DateTimeInput } from "@web/core/datetime/datetime_input";
import { _t } from "@web/core/l10n/translation";
import { deserializeDate, formatDate, serializeDate, today } from "@web/core/l10n/dates";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";
import { escape } from "@web/core/utils/strings";
import { useSetupAction } from "@web/search/action_hook";
import { ListController } from "@web/views/list/list_controller";
import { DebtorWorkspacePanel } from "./debtor_workspace_panel";

// "Select all overdue" names at most this many of the debtors it leaves out
const MAX_SKIPPED_SHOWN = 5;

/**
 * The debtor workspace: the overview of unpaid invoice totals (one row per
 * debtor) with, in the control panel, the as-of date, "Select all overdue"
 * and the envelope that sends reminders to the selected debtors, and on the
 * right a panel with the unpaid invoices and the correspondence of the debtor
 * whose row was clicked.
 *
 * A click on a row shows the debtor in the panel instead of opening its form
 * (the panel has a button for that). Hidden panel, small screen or dialog:
 * rows open their form, as in any list.
 */
export class DebtorWorkspaceListController extends ListController {
    static template = "account_debtor_collection.DebtorWorkspaceListView";
    static components = { ...ListController.components, DateTimeInput, DebtorWorkspacePanel };

    setup() {
        super.setup();
        this.orm = useService("orm");
        this.notification = useService("notification");
        const enabled = !this.env.isSmall && !this.env.inDialog;
        const localState = this.props.state?.debtorWorkspace || {};
        this.debtorWorkspace = useState({
            enabled,
            panelHidden: false,
            activeId: localState.activeId || false,
            // billing users and accountants remind and write notes; the
            // read-only auditor only looks
            canAct: false,
            // bumped when the panel's data changed on the server
            version: 0,
            get showPanel() {
                return this.enabled && !this.panelHidden;
            },
        });
        // the last known values of the debtor shown, when its row is gone
        this.activeDebtorSnapshot = null;
        useSubEnv({ debtorWorkspace: this.debtorWorkspace });
        if (enabled) {
            // The workspace's envelope sends with the as-of date: the list's
            // own button for the same action would be a second envelope.
            this.archInfo = {
                ...this.archInfo,
                headerButtons: this.archInfo.headerButtons.filter(
                    (button) => button.clickParams.name !== "action_open_reminder"
                ),
            };
        }
        onWillStart(async () => {
            this.debtorWorkspace.canAct = await user.hasGroup("account.group_account_invoice");
            if (enabled) {
                const [values] = await this.orm.read(
                    "res.users",
                    [user.userId],
                    ["debtor_workspace_panel_hidden"]
                );
                this.debtorWorkspace.panelHidden = values.debtor_workspace_panel_hidden;
            }
        });
        useSetupAction({
            getLocalState: () => ({
                debtorWorkspace: { activeId: this.debtorWorkspace.activeId },
            }),
        });
    }

    get className() {
        const classNames = [super.className];
        if (this.debtorWorkspace.enabled) {
            classNames.push("o_debtor_workspace_view");
            if (this.debtorWorkspace.panelHidden) {
                classNames.push("o_debtor_workspace_panel_hidden");
            }
        }
        return classNames.join(" ");
    }

    // -------------------------------------------------------------------------
    // As-of date
    // -------------------------------------------------------------------------

    /** @returns {string|false} "YYYY-MM-DD", false for today */
    get asOfDate() {
        return this.env.searchModel.debtorAsOfDate || false;
    }

    get asOfDateValue() {
        return this.asOfDate ? deserializeDate(this.asOfDate) : today();
    }

    /** The context of the workspace's server calls. */
    get workspaceContext() {
        return this.asOfDate ? { debtor_as_of_date: this.asOfDate } : {};
    }

    onAsOfDateChange(date) {
        const value = date && !date.hasSame(today(), "day") ? serializeDate(date) : false;
        if (value !== this.asOfDate) {
            this.env.searchModel.setDebtorAsOfDate(value);
        }
    }

    // -------------------------------------------------------------------------
    // Selection and reminders
    // -------------------------------------------------------------------------

    /**
     * Selects, among the rows shown, the debtors to remind at the as-of date
     * (overdue, not excluded, not paused by a pending promise), and only them.
     */
    async onSelectAllOverdue() {
        const { ids, skipped } = await this.orm.call(
            "account.debtor.workspace",
            "get_workspace_remindable",
            [],
            { context: this.workspaceContext }
        );
        const overdueIds = new Set(ids);
        const root = this.model.root;
        if (root.isDomainSelected) {
            await root.selectDomain(false);
        }
        let shownCount = 0;
        for (const record of root.records) {
            const overdue = overdueIds.has(record.resId);
            shownCount += overdue ? 1 : 0;
            if (record.selected !== overdue) {
                await record.toggleSelection(overdue);
            }
        }
        const date = formatDate(this.asOfDateValue);
        if (skipped.length) {
            // the wizard would skip them: not ticked, and the user sees why
            const items = skipped
                .slice(0, MAX_SKIPPED_SHOWN)
                .map((debtor) => `<li>${escape(debtor.name)}: ${escape(debtor.reason)}</li>`);
            if (skipped.length > MAX_SKIPPED_SHOWN) {
                const more = _t("and %(count)s more", {
                    count: skipped.length - MAX_SKIPPED_SHOWN,
                });
                items.push(`<li>${escape(more)}</li>`);
            }
            this.notification.add(markup(`<ul class="mb-0 ps-3">${items.join("")}</ul>`), {
                title: _t("Overdue, but the reminder would skip them"),
                type: "warning",
                className: "o_debtor_workspace_skipped",
            });
        }
        if (!ids.length) {
            this.notification.add(_t("No debtor to remind on %(date)s.", { date }), {
                type: "info",
            });
        } else if (shownCount < ids.length) {
            // the others are on other pages, in folded groups or filtered out
            const closeNotification = this.notification.add(
                _t(
                    "Debtors to remind on %(date)s: %(total)s. Selected in the list as shown: %(shown)s.",
                    { shown: shownCount, date, total: ids.length }
                ),
                {
                    type: "warning",
                    buttons: [
                        {
                            name: _t("Remind them all"),
                            icon: "fa-envelope",
                            primary: true,
                            onClick: () => {
                                closeNotification();
                                this.openReminder(ids);
                            },
                        },
                    ],
                }
            );
        }
    }

    async onClickSendReminders() {
        await this.openReminder(await this.getSelectedResIds());
    }

    /**
     * Opens the reminder wizard on the given debtors at the as-of date.
     * @param {number[]} debtorIds
     */
    async openReminder(debtorIds) {
        const action = await this.orm.call(
            "account.debtor.workspace",
            "action_open_workspace_reminder",
            [debtorIds],
            { context: this.workspaceContext }
        );
        await this.actionService.doAction(action, {
            onClose: () => this.onWorkspaceDataChanged(),
        });
    }

    async beforeExecuteActionButton(clickParams) {
        // the list's own reminder button, when shown, also uses the as-of date
        if (clickParams.type === "object" && clickParams.name === "action_open_reminder") {
            await this.onClickSendReminders();
            return false;
        }
        return super.beforeExecuteActionButton(...arguments);
    }

    // -------------------------------------------------------------------------
    // Panel
    // -------------------------------------------------------------------------

    async openRecord(record) {
        if (!this.debtorWorkspace.showPanel) {
            return super.openRecord(record);
        }
        this.debtorWorkspace.activeId = record.resId;
    }

    /** Hides or shows the panel, a choice kept for the user. */
    async onTogglePanel() {
        const hidden = !this.debtorWorkspace.panelHidden;
        // stored first: the choice shown is the choice kept
        await this.orm.write("res.users", [user.userId], {
            debtor_workspace_panel_hidden: hidden,
        });
        this.debtorWorkspace.panelHidden = hidden;
    }

    /** The row's values the panel shows in its header. */
    get activeDebtor() {
        const { activeId } = this.debtorWorkspace;
        if (!activeId) {
            return undefined;
        }
        const record = this.model.root.records.find((r) => r.resId === activeId);
        if (record) {
            const { data } = record;
            this.activeDebtorSnapshot = {
                id: activeId,
                name: data.partner_id ? data.partner_id[1] : "",
                currencyId: data.currency_id ? data.currency_id[0] : false,
                amountDue: data.amount_due,
                amountOverdue: data.amount_overdue,
                amountCredit: data.amount_credit,
                lastReminderDate: data.last_reminder_date || false,
                promiseDate: data.promise_date || false,
                promiseState: data.promise_state || false,
                nextActionDate: data.next_action_date || false,
                noReminder: Boolean(data.no_reminder),
                levelName: data.level_id ? data.level_id[1] : false,
            };
        }
        return this.activeDebtorSnapshot?.id === activeId ? this.activeDebtorSnapshot : undefined;
    }

    /** Opens the form of the debtor shown in the panel. */
    async openActiveDebtor() {
        const record = this.model.root.records.find(
            (r) => r.resId === this.debtorWorkspace.activeId
        );
        if (record) {
            return super.openRecord(record);
        }
        return this.actionService.doAction({
            type: "ir.actions.act_window",
            res_model: "account.debtor",
            res_id: this.debtorWorkspace.activeId,
            views: [[false, "form"]],
            context: this.workspaceContext,
        });
    }

    /**
     * Reloads the list after a dialog of the workspace closed (a note, a
     * reminder): its dates follow the correspondence. Keeps the selection.
     */
    async onWorkspaceDataChanged() {
        const root = this.model.root;
        const domainSelected = root.isDomainSelected;
        const selectedIds = new Set(root.selection.map((record) => record.resId));
        this.debtorWorkspace.version++;
        await this.model.load();
        if (domainSelected) {
            await this.model.root.selectDomain(true);
        } else if (selectedIds.size) {
            for (const record of this.model.root.records) {
                if (selectedIds.has(record.resId)) {
                    await record.toggleSelection(true);
                }
            }
        }
    }
}
