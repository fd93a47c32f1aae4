#!/usr/bin/python3
"""A customer journey against a running host, from Python: sign up, confirm the login with the
emailed code, create an organization, top up its wallet, order a product paid by the wallet,
download the invoice PDF, and read the reason and field of an error from its status trailers.

Stubs are generated at run time from ../../protos into a temporary folder, with Debian's
python3-grpcio and python3-grpc-tools (see README.md). Usage:

    HOSTING_ADDRESS=127.0.0.1:50051 HOSTING_PICKUP_DIR=/path /usr/bin/python3 journey.py

with the host writing its emails to that folder
(--Notifications:Sender=Pickup --Notifications:Pickup:Directory=/path).
"""

import email
import email.policy
import importlib
import os
import re
import secrets
import sys
import tempfile
import time
from pathlib import Path

import grpc
import grpc_tools
from grpc_tools import protoc

ADDRESS = os.environ.get("HOSTING_ADDRESS", "127.0.0.1:50051")
PICKUP = os.environ.get("HOSTING_PICKUP_DIR")
PROTOS = Path(__file__).resolve().parent.parent.parent / "protos"
TIMEOUT = 30  # seconds per call


def generate_stubs(target):
    """Compiles every proto under protos/ (the API, google/api and google/rpc) into target."""
    files = sorted(str(p.relative_to(PROTOS)) for p in PROTOS.rglob("*.proto"))
    # The well-known types (timestamp, field_mask...) ship inside grpc_tools.
    well_known = Path(grpc_tools.__file__).parent / "_proto"
    result = protoc.main(["protoc", f"-I{PROTOS}", f"-I{well_known}",
                          f"--python_out={target}", f"--grpc_python_out={target}", *files])
    if result != 0:
        sys.exit(f"protoc failed ({result}) on {PROTOS}")
    sys.path.insert(0, str(target))


def step(text):
    print(f"ok   {text}", flush=True)


def check(condition, message):
    if not condition:
        raise AssertionError(f"check failed: {message}")


def rich_status(error):
    """The google.rpc.Status of a failed call, from its grpc-status-details-bin trailer, with each
    detail unpacked by its type: {"ErrorInfo": ..., "BadRequest": ...}."""
    from google.rpc import error_details_pb2, status_pb2

    raw = dict(error.trailing_metadata() or ()).get("grpc-status-details-bin")
    if raw is None:
        raise AssertionError(f"no rich status in {error.code()} {error.details()}")
    status = status_pb2.Status.FromString(raw)
    details = {}
    for any_detail in status.details:
        name = any_detail.TypeName().split(".")[-1]
        message = getattr(error_details_pb2, name)()
        any_detail.Unpack(message)
        details[name] = message
    return status, details


def login_code(login):
    """The login confirmation code (ACC-12) from the email the host wrote to its pickup folder, as a
    person reads it from their mailbox; the host's dispatcher writes it shortly after the call."""
    if not PICKUP:
        sys.exit("set HOSTING_PICKUP_DIR to the folder the host writes its emails to")
    folder = Path(PICKUP)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        files = sorted(folder.glob("*.eml"), reverse=True) if folder.is_dir() else []
        for file in files:
            message = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
            if message["X-Hosting-Notification"] != "login-confirmation" or message["To"] != login:
                continue
            code = re.search(r"once\): (\d{8})", message.get_content())
            if code:
                return code.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no login code for {login} in {folder}")


def main():
    with tempfile.TemporaryDirectory(prefix="hosting-stubs-") as stubs:
        generate_stubs(stubs)
        journey()


def journey():
    accounts_pb2 = importlib.import_module("hosting.accounts.v1.accounts_pb2")
    accounts_grpc = importlib.import_module("hosting.accounts.v1.accounts_pb2_grpc")
    organizations_pb2 = importlib.import_module("hosting.organizations.v1.organizations_pb2")
    organizations_grpc = importlib.import_module("hosting.organizations.v1.organizations_pb2_grpc")
    wallet_pb2 = importlib.import_module("hosting.wallet.v1.wallet_pb2")
    wallet_grpc = importlib.import_module("hosting.wallet.v1.wallet_pb2_grpc")
    billing_pb2 = importlib.import_module("hosting.billing.v1.billing_pb2")
    billing_grpc = importlib.import_module("hosting.billing.v1.billing_pb2_grpc")

    channel = grpc.insecure_channel(ADDRESS)
    # The host listens once its store is migrated: waiting for the channel is waiting for the service.
    grpc.channel_ready_future(channel).result(timeout=90)
    accounts = accounts_grpc.AccountsServiceStub(channel)
    organizations = organizations_grpc.OrganizationsServiceStub(channel)
    wallet = wallet_grpc.WalletServiceStub(channel)
    billing = billing_grpc.BillingServiceStub(channel)

    suffix = secrets.token_hex(4)
    login = f"python-{suffix}@example.com"
    password = "violet-harbour-lantern"

    signed_up = accounts.SignUp(accounts_pb2.SignUpRequest(login=login, password=password), timeout=TIMEOUT)
    step(f"signed up as {signed_up.account.login}")
    token = accounts.SignIn(accounts_pb2.SignInRequest(login=login, password=password), timeout=TIMEOUT).session_token
    auth = [("authorization", f"Bearer {token}")]

    confirmed = accounts.ConfirmLogin(accounts_pb2.ConfirmLoginRequest(code=login_code(login)), metadata=auth, timeout=TIMEOUT)
    check(confirmed.account.login_confirmed, "the login is confirmed")
    step("login confirmed with the emailed code")

    contact = organizations_pb2.ContactDetails(
        kind=organizations_pb2.HOLDER_KIND_COMPANY, first_name="Ada", last_name="Keller",
        company_name=f"Python {suffix} AG", street="Bahnhofstrasse 1", postal_code="8001", city="Zurich", country="CH")
    organization = organizations.CreateOrganization(
        organizations_pb2.CreateOrganizationRequest(contact_details=contact), metadata=auth, timeout=TIMEOUT).organization
    step(f"organization created: {organization.display_name} ({organization.name})")

    topped = wallet.TopUpWallet(wallet_pb2.TopUpWalletRequest(
        parent=organization.name, amount=wallet_pb2.Money(minor=20000, currency="CHF"),
        payment_method="sim-success", request_id=f"top-{suffix}"), metadata=auth, timeout=TIMEOUT)
    step(f"wallet topped up: balance {topped.wallet.balance.minor / 100:.2f} {topped.wallet.balance.currency}")

    ordered = billing.ConfirmOrder(billing_pb2.ConfirmOrderRequest(
        parent=organization.name,
        lines=[billing_pb2.CartLine(product_type=organizations_pb2.PRODUCT_TYPE_DOMAIN_NAME,
                                    display_name=f"python-{suffix}.ch", period_months=12)],
        payment_method="wallet", request_id=f"order-{suffix}"), metadata=auth, timeout=TIMEOUT)
    check(ordered.invoice.state == billing_pb2.INVOICE_STATE_PAID,
          f"an order paid by wallet is paid, got {billing_pb2.InvoiceState.Name(ordered.invoice.state)}")
    check(len(ordered.products) == 1, f"one product ordered, got {list(ordered.products)}")
    step(f"ordered {ordered.products[0]}, paid from the wallet: invoice {ordered.invoice.number}, "
         f"{ordered.invoice.total_minor / 100:.2f} {ordered.invoice.currency}")

    pdf = billing.GetInvoicePdf(billing_pb2.GetInvoicePdfRequest(name=ordered.invoice.name), metadata=auth, timeout=TIMEOUT).pdf
    check(pdf.startswith(b"%PDF"), f"the invoice downloads as a PDF, got {pdf[:8]!r}")
    step(f"invoice PDF downloaded ({len(pdf)} bytes)")

    # An error's reason and field travel in the grpc-status-details-bin trailer as google.rpc.Status.
    contact.country = "XX"
    try:
        organizations.CreateOrganization(organizations_pb2.CreateOrganizationRequest(contact_details=contact), metadata=auth, timeout=TIMEOUT)
        raise AssertionError("an organization in country XX was created")
    except grpc.RpcError as error:
        check(error.code() == grpc.StatusCode.INVALID_ARGUMENT, f"INVALID_ARGUMENT, got {error.code()}")
        status, details = rich_status(error)
        reason = details["ErrorInfo"].reason
        violations = [(v.field, v.description) for v in details["BadRequest"].field_violations]
        print(f"     {error.code().name}: {status.message}")
        print(f"     reason {reason} ({details['ErrorInfo'].domain})")
        for field, description in violations:
            print(f"     field {field}: {description}")
        check(reason == "INVALID_COUNTRY", f"reason INVALID_COUNTRY, got {reason}")
        check([f for f, _ in violations] == ["contact_details.country"], f"a violation on contact_details.country, got {violations}")
        step(f"error details read from the trailers: {reason} on {violations[0][0]}")

    channel.close()
    print("journey passed")


if __name__ == "__main__":
    try:
        main()
    except (AssertionError, grpc.RpcError) as failure:
        sys.exit(f"journey failed: {failure}")
