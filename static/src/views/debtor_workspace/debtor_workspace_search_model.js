import { _t } from "@web/core/l10n/translation";
import { deserializeDate, formatDate } from "@web/core/l10n/dates";
import { SearchModel } from "@web/search/search_model";

/**
 * The search model of the debtor workspace: it also holds the as-of date.
 *
 * The date is an active filter of the search ("As of 12/31/2026"), whose
 * context sets the key `debtor_as_of_date` that the overview's amounts depend
 * on: it shows in the search bar, can be removed there (back to today), and
 * it stays with the search when the user opens a record and comes back.
 */
export class DebtorWorkspaceSearchModel extends SearchModel {
    /** The active filter that holds the as-of date, if any. */
    get _debtorAsOfItem() {
        for (const { searchItemId } of this.query) {
            const item = this.searchItems[searchItemId];
            if (item?.isDebtorAsOfDate) {
                return item;
            }
        }
        return null;
    }

    /**
     * @returns {string|false} the as-of date ("YYYY-MM-DD"), false for today
     */
    get debtorAsOfDate() {
        return this._debtorAsOfItem?.context.debtor_as_of_date || false;
    }

    /**
     * Changes the as-of date and reloads the view.
     * @param {string|false} date "YYYY-MM-DD", false for today
     */
    setDebtorAsOfDate(date) {
        const previous = this._debtorAsOfItem;
        if (previous) {
            this.query = this.query.filter((elem) => elem.searchItemId !== previous.id);
            delete this.searchItems[previous.id];
        }
        if (!date) {
            this._notify();
            return;
        }
        this.createNewFilters([
            {
                description: _t("As of %(date)s", { date: formatDate(deserializeDate(date)) }),
                domain: "[]",
                context: { debtor_as_of_date: date },
                invisible: "True",
                isDebtorAsOfDate: true,
            },
        ]);
    }
}
