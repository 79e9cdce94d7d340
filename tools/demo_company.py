# Makes the main company of a fresh demo database a Latvian one, before
# `account` is installed: run by `odoo-bin shell` (tools/_common.sh,
# demo_build), which provides `env`. With the company in Latvia, installing
# `account` loads the Latvian chart of accounts (l10n_lv, in EUR) on it
# instead of the generic US one; the addon itself depends on no localization.
# ruff: noqa: F821  (env is given by odoo-bin shell)

company = env.ref("base.main_company")
latvia = env.ref("base.lv")
euro = env.ref("base.EUR")
euro.active = True
# English stays available beside the languages of the customers.
env["res.lang"]._activate_lang("en_US")

company.write(
    {
        "name": "SIA Baltā Kāpa",
        "street": "Brīvības iela 68",
        "zip": "LV-1011",
        "city": "Rīga",
        "state_id": False,
        "country_id": latvia.id,
        "currency_id": euro.id,
        "vat": "LV40103456788",
        "company_registry": "40103456788",
        "phone": "+371 67 123 456",
        "email": "gramatvediba@balta-kapa.example",
        "website": "https://balta-kapa.example",
    }
)
# its address's time zone is the day its reminders are dated (Rīga's, not
# the server's UTC: after 22:00 UTC in winter it is already tomorrow there)
company.partner_id.write({"lang": "lv_LV", "tz": "Europe/Riga"})
# base's demo users show "YourCompany, <name>": the company they work for
env["res.partner"].search(
    [("company_name", "=", "YourCompany")]
).company_name = company.name
bank = env["res.bank"].create(
    {"name": "Swedbank AS", "bic": "HABALV22", "country": latvia.id}
)
env["res.partner.bank"].create(
    {
        "acc_number": "LV87 HABA 0551 0123 4567 8",
        "bank_id": bank.id,
        "partner_id": company.partner_id.id,
    }
)
# The credit controller works in Latvian; English is one choice away in
# her preferences. The demo user keeps English.
env.ref("base.user_admin").write(
    {
        "name": "Anna Kalniņa",
        "email": "anna.kalnina@balta-kapa.example",
        "signature": "<p>Anna Kalniņa<br/>SIA Baltā Kāpa</p>",
        "lang": "lv_LV",
        "tz": "Europe/Riga",
    }
)
env.ref("base.user_demo").write({"lang": "en_US", "tz": "Europe/Riga"})
env.cr.commit()
print(f"demo company: {company.name}, {company.city}, {company.currency_id.name}")
