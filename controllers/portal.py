from werkzeug.exceptions import NotFound
from werkzeug.urls import url_encode

from odoo import fields, http
from odoo.exceptions import UserError
from odoo.http import content_disposition, request
from odoo.tools import SQL

from odoo.addons.portal.controllers.portal import CustomerPortal

# The first key of the advisory lock that lets one statement of a debtor be
# printed at a time (the second is the debtor's id): "DEBT".
STATEMENT_LOCK_KEY = 0x44454254
# The largest id a database integer column holds.
MAX_ID = 2**31 - 1


class DebtorCollectionPortal(CustomerPortal):
    """The debtor's own page: what it owes and is late with in one company,
    the statement, a Pay button per invoice, a promise to pay and a dispute.

    ``/my/collection/<partner id>?access_token=...`` opens without logging in
    with the token of a reminder (``res.partner._get_debtor_portal_token``):
    the page of the company that signed it. A logged-in user of the customer
    reaches the page of its own company at ``/my/collection``.

    Everything is read and written as superuser, for one commercial partner
    and one company that come from a valid token or from the logged-in user,
    never from anything else the request holds: nothing of another debtor or
    another company is reachable.
    """

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "debtor_item_count" in counters:
            partner = request.env.user.partner_id.commercial_partner_id
            # sudo: the open items of the user's own customer, counted
            values["debtor_item_count"] = (
                request.env["account.move.line"]
                .sudo()
                .search_count(
                    request.env["account.debtor"]._get_debtor_item_domain(
                        partner, request.env.company
                    )
                )
            )
        return values

    # ------------------------------------------------------------------
    # Routes
    # ------------------------------------------------------------------

    @http.route("/my/collection", type="http", auth="user", website=True)
    def portal_my_collection(self, **kwargs):
        partner, company, contact = self._debtor_check_access(None, None)
        return self._debtor_render(partner, company, contact, None, kwargs)

    @http.route(
        "/my/collection/<int:partner_id>", type="http", auth="public", website=True
    )
    def portal_debtor_collection(self, partner_id, access_token=None, **kwargs):
        partner, company, contact = self._debtor_check_access(partner_id, access_token)
        return self._debtor_render(partner, company, contact, access_token, kwargs)

    @http.route(
        "/my/collection/<int:partner_id>/statement",
        type="http",
        auth="public",
        website=True,
        readonly=True,
    )
    def portal_debtor_statement(self, partner_id, access_token=None, **kwargs):
        partner, company, _contact = self._debtor_check_access(partner_id, access_token)
        # one statement of a debtor at a time: parallel requests do not each
        # run wkhtmltopdf (held until this request's transaction ends)
        request.env.cr.execute(
            SQL(
                "SELECT pg_try_advisory_xact_lock(%s, %s)",
                STATEMENT_LOCK_KEY,
                partner.id,
            )
        )
        if not request.env.cr.fetchone()[0]:
            return request.make_response(
                request.env._(
                    "Your statement is being prepared: please try again in a moment."
                ),
                [("Content-Type", "text/plain; charset=utf-8"), ("Retry-After", "10")],
                status=429,
            )
        # sudo: the statement of the debtor and company the access check
        # returned, whoever asks (a public visitor has no right on reports)
        content, report_type = (
            request.env["ir.actions.report"]
            .sudo()
            .with_company(company)
            .with_context(lang=partner._get_debtor_lang())
            ._render_qweb_pdf(
                "account_debtor_collection.action_report_debtor_statement",
                partner.ids,
            )
        )
        filename = request.env._("Statement %(name)s.pdf", name=partner.name)
        # tests render HTML instead of calling wkhtmltopdf
        mimetype = (
            "application/pdf" if report_type == "pdf" else "text/html; charset=utf-8"
        )
        return request.make_response(
            content,
            [
                ("Content-Type", mimetype),
                ("Content-Length", len(content)),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )

    @http.route(
        "/my/collection/<int:partner_id>/promise",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_debtor_promise(self, partner_id, access_token=None, **post):
        move_ids = request.httprequest.form.getlist("move_ids")

        def create(Entry, partner, company, contact):
            Entry._create_portal_promise(
                partner,
                company,
                contact,
                self._debtor_parse_moves(move_ids),
                self._debtor_parse_date(post.get("promise_date")),
                post.get("message"),
            )

        return self._debtor_answer(
            partner_id, access_token, "promise", dict(post, move_ids=move_ids), create
        )

    @http.route(
        "/my/collection/<int:partner_id>/dispute",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_debtor_dispute(self, partner_id, access_token=None, **post):
        def create(Entry, partner, company, contact):
            move = self._debtor_parse_moves(
                [post.get("move_id")] if post.get("move_id") else []
            )
            reason = Entry.env["account.debtor.dispute.reason"].browse(
                self._debtor_parse_id(post.get("reason_id"))
            )
            Entry._create_portal_dispute(
                partner, company, contact, move, reason, post.get("message")
            )

        return self._debtor_answer(partner_id, access_token, "dispute", post, create)

    def _debtor_answer(self, partner_id, access_token, answer, form, create):
        """Take the debtor's ``answer`` (promise, dispute) from its page:
        ``create(Entry, partner, company, contact)`` logs it. A refused answer
        shows the page again with the reason and what was typed (``form``);
        a logged one goes back to the page, which thanks for it."""
        partner, company, contact = self._debtor_check_access(partner_id, access_token)
        Entry = self._debtor_entry_env(partner, company)
        try:
            if request.env.user._is_internal():
                # a user of the company (an auditor with the link printed on
                # a statement) may look, never answer in the customer's name
                raise UserError(
                    request.env._(
                        "You are logged in as a user of %(company)s: only the "
                        "customer answers on this page. Log a note in the "
                        "debtor's workspace instead.",
                        company=company.name,
                    )
                )
            create(Entry, partner, company, contact)
        except UserError as error:
            return self._debtor_render(
                partner,
                company,
                contact,
                access_token,
                {},
                errors={answer: error.args[0]},
                form=form,
            )
        return request.redirect(
            self._debtor_page_path(partner, access_token, answer=answer)
        )

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------

    def _debtor_check_access(self, partner_id, access_token):
        """The debtor (commercial partner, as superuser), the company and the
        contact who acts: from a valid token for ``partner_id``, else from
        the logged-in user when it belongs to that debtor. Anything else is
        refused alike (404), an unknown id as a forbidden one: the page tells
        nobody which customers exist."""
        user = request.env.user
        # sudo: the token page is public; only a token signed for this very
        # partner (or the logged-in user's own partner) opens it, and only
        # for the company the token was signed for (the user's company)
        Partner = request.env["res.partner"].sudo()
        own = Partner if user._is_public() else user.partner_id.sudo()
        if partner_id is None:
            partner = own.commercial_partner_id
        else:
            partner = Partner.browse(partner_id).exists()
            if not partner:
                raise NotFound()
        if access_token:
            company = partner._check_debtor_portal_token(access_token)
            if not company:
                raise NotFound()
            contact = own if own.commercial_partner_id == partner else partner
        elif own and own.commercial_partner_id == partner:
            company = request.env.company
            contact = own
        else:
            raise NotFound()
        # in the debtor's language, as its reminders are (the one chain of
        # res.partner._get_debtor_lang), messages and dates included
        lang = partner.with_company(company)._get_debtor_lang()
        request.update_context(lang=lang)
        if lang in request.env["res.lang"]._get_frontend():
            request.lang = request.env["res.lang"]._get_data(code=lang)
        return (
            partner.with_company(company).with_context(lang=lang),
            company.sudo(),
            contact,
        )

    def _debtor_entry_env(self, partner, company):
        # sudo: the debtor writes its own log; _create_portal_* check every
        # value against this debtor's open items in this company
        return (
            request.env["account.debtor.correspondence"]
            .sudo()
            .with_company(company)
            .with_context(lang=partner._get_debtor_lang(), tracking_disable=False)
        )

    def _debtor_page_path(self, partner, access_token, **params):
        if access_token:
            params = {"access_token": access_token, **params}
            return f"/my/collection/{partner.id}?{url_encode(params)}"
        return f"/my/collection?{url_encode(params)}"

    # ------------------------------------------------------------------
    # Form values
    # ------------------------------------------------------------------

    def _debtor_parse_id(self, value):
        """A database id from the form, 0 for anything else (not a number,
        not positive, beyond what an integer column holds)."""
        try:
            value = int(value or 0)
        except (TypeError, ValueError):
            return 0
        return value if 0 < value <= MAX_ID else 0

    def _debtor_parse_moves(self, values):
        ids = {self._debtor_parse_id(value) for value in values}
        # sudo: checked against the debtor's own open items by the model
        moves = request.env["account.move"].sudo().browse(ids - {0}).exists()
        if 0 in ids or len(moves) != len(ids):
            # never "none": that would mean all the overdue invoices
            raise UserError(
                request.env._("Please choose among the invoices listed on this page.")
            )
        return moves

    def _debtor_parse_date(self, value):
        if not value:
            return False
        try:
            return fields.Date.to_date(value)
        except ValueError as error:
            raise UserError(
                request.env._("%(value)s is not a date.", value=value[:20])
            ) from error

    # ------------------------------------------------------------------
    # The page
    # ------------------------------------------------------------------

    def _debtor_render(
        self, partner, company, contact, access_token, kwargs, errors=None, form=None
    ):
        values = self._debtor_page_values(partner, company, contact, access_token)
        values.update(
            errors=errors or {},
            form=form or {},
            answer=kwargs.get("answer")
            if kwargs.get("answer") in ("promise", "dispute")
            else False,
        )
        return request.render(
            "account_debtor_collection.portal_debtor_collection", values
        )

    def _debtor_page_values(self, partner, company, contact, access_token):
        """What the page shows: the statement's open items and balance, the
        e-mail's overdue totals (the overview's figure), both at today, from
        the very methods the statement and the reminder use."""
        Entry = self._debtor_entry_env(partner, company)
        # the company's day, as the overview's and its reminders' dates
        today = company._get_debtor_today()
        statement = partner._get_debtor_reminder_values(today, company, all_open=True)[
            partner.id
        ]
        overdue = partner._get_debtor_reminder_values(today, company)[partner.id]
        moves = Entry.env["account.move"].browse(
            [row["move_id"] for row in statement["rows"]]
        )
        moves._debtor_ensure_access_tokens()
        pay_urls = self._debtor_get_pay_urls(partner, company, moves)
        payable = Entry._get_portal_payable_moves(partner, company)
        promise = Entry.search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("promise_state", "=", "pending"),
            ],
            limit=1,
        )
        token_query = (
            f"?{url_encode({'access_token': access_token})}" if access_token else ""
        )
        latest = Entry._get_portal_latest_promise_date(partner, company)
        return {
            "page_name": "debtor_collection",
            # the breadcrumbs lead to /my, which needs a login
            "no_breadcrumbs": request.env.user._is_public(),
            "debtor": partner,
            "company": company,
            "contact": contact,
            "access_token": access_token,
            "action_base": f"/my/collection/{partner.id}",
            "statement_url": f"/my/collection/{partner.id}/statement{token_query}",
            "statement": statement,
            "overdue": overdue,
            "rows": [
                {
                    **row,
                    "pay_url": pay_urls.get(row["move_id"])
                    if not row["is_credit"]
                    else False,
                    "in_dispute": moves.browse(row["move_id"]).debtor_in_dispute,
                }
                for row in statement["rows"]
            ],
            "payable_moves": payable,
            "disputable_moves": payable.filtered(
                lambda move: not move.debtor_in_dispute
            ),
            "reasons": Entry._get_portal_dispute_reasons(company),
            "reminders": Entry._get_portal_reminders(partner, company),
            "promise": promise,
            "promise_date_min": fields.Date.to_string(today),
            "promise_date_max": fields.Date.to_string(latest),
        }

    def _debtor_get_pay_urls(self, partner, company, moves):
        """The invoice portal's payment page of each invoice the debtor can
        pay online: Odoo's own flow (account_payment), through the providers
        the company enabled."""
        urls = {}
        Provider = request.env["payment.provider"].sudo()
        for move in moves:
            if not move._has_to_be_paid():
                continue
            if Provider._get_compatible_providers(
                company.id,
                partner.id,
                move.amount_residual,
                currency_id=move.currency_id.id,
            ):
                urls[move.id] = move.get_portal_url(
                    anchor="portal_pay", query_string="&payment=True"
                )
        return urls
