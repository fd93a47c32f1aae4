// A whole customer journey against a running host, from another language: sign up, sign in,
// order a product, confirm the login with the emailed code, invite and accept, top up the wallet,
// pay, download the invoice, order a second product by bank transfer and pay it from "to pay",
// and read the reason codes of an error from its status trailers.
// Usage: HOSTING_ADDRESS=127.0.0.1:50051 HOSTING_PICKUP_DIR=/path node journey.js, with the host
// writing its emails to that folder (--Notifications:Sender=Pickup --Notifications:Pickup:Directory=/path).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const address = process.env.HOSTING_ADDRESS || '127.0.0.1:50051';
const pickup = process.env.HOSTING_PICKUP_DIR;
const protos = path.join(__dirname, '..', '..', 'protos');
const files = ['accounts', 'organizations', 'wallet', 'billing'].map((p) => `hosting/${p}/v1/${p}.proto`);
const definition = protoLoader.loadSync(files, { includeDirs: [protos], keepCase: false, longs: Number, enums: String, defaults: true });
const api = grpc.loadPackageDefinition(definition).hosting;
const credentials = grpc.credentials.createInsecure();
const accounts = new api.accounts.v1.AccountsService(address, credentials);
const organizations = new api.organizations.v1.OrganizationsService(address, credentials);
const wallet = new api.wallet.v1.WalletService(address, credentials);
const billing = new api.billing.v1.BillingService(address, credentials);

// Google's own google/rpc/status.proto and error_details.proto, vendored under protos/google/rpc.
const statusTypes = new protobuf.Root();
statusTypes.resolvePath = (origin, target) => (path.isAbsolute(target) ? target : path.join(protos, target));
statusTypes.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto']);
const Status = statusTypes.lookupType('google.rpc.Status');

function call(client, method, request, token) {
  const metadata = new grpc.Metadata();
  if (token) {
    metadata.set('authorization', `Bearer ${token}`);
  }
  return new Promise((resolve, reject) => {
    client[method](request, metadata, { deadline: Date.now() + 30_000 }, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

// google.rpc.Status from the trailers, with its details unpacked by type.
function richStatus(error) {
  const [bytes] = error.metadata.get('grpc-status-details-bin');
  if (!bytes) {
    throw new Error(`no rich status in ${error.code} ${error.details}`);
  }
  const status = Status.decode(bytes);
  const details = {};
  for (const any of status.details) {
    const name = any.type_url.split('/').pop();
    details[name.split('.').pop()] = statusTypes.lookupType(name).decode(any.value);
  }
  return { code: status.code, message: status.message, details };
}

// The login confirmation code (ACC-12) from the email the host wrote to its pickup folder, as a
// person reads it from their mailbox; the host's dispatcher writes it shortly after the call.
async function loginCode(login) {
  if (!pickup) {
    throw new Error('set HOSTING_PICKUP_DIR to the folder the host writes its emails to');
  }
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const files = fs.existsSync(pickup) ? fs.readdirSync(pickup).filter((f) => f.endsWith('.eml')).sort().reverse() : [];
    for (const file of files) {
      const text = fs.readFileSync(path.join(pickup, file), 'utf8');
      const code = /once\): (\d{8})/.exec(text);
      if (text.includes('X-Hosting-Notification: login-confirmation') && text.includes(`To: ${login}`) && code) {
        return code[1];
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no login code for ${login} in ${pickup}`);
}

function check(condition, message) {
  if (!condition) {
    throw new Error(`check failed: ${message}`);
  }
}

async function main() {
  // The host listens once its store is migrated: waiting for the channel is waiting for the service.
  await new Promise((resolve, reject) => accounts.waitForReady(Date.now() + 90_000, (error) => (error ? reject(error) : resolve())));
  const suffix = crypto.randomBytes(4).toString('hex');
  const password = 'violet-harbour-lantern';
  const ownerLogin = `node-owner-${suffix}@example.com`;
  const memberLogin = `node-member-${suffix}@example.com`;
  const step = (text) => console.log(`ok   ${text}`);

  const order = await call(organizations, 'OrderFirstProduct', {
    contactDetails: { kind: 'HOLDER_KIND_COMPANY', firstName: 'Ann', lastName: 'Meier', companyName: `Node ${suffix} SA`, street: 'Rue du Lac 1', postalCode: '1200', city: 'Geneva', country: 'CH' },
    login: ownerLogin, password, productType: 'PRODUCT_TYPE_WEB_HOSTING', productDisplayName: `node-${suffix}.ch`,
  });
  step(`first order: ${order.organization.displayName}, product ${order.product.displayName} ${order.product.status}`);

  const owner = (await call(accounts, 'SignIn', { login: ownerLogin, password })).sessionToken;
  const me = await call(accounts, 'GetAccount', {}, owner);
  check(me.account.login === ownerLogin && !me.account.loginConfirmed, 'GetAccount returns the signed-in login, not yet confirmed');
  step(`signed in as ${me.account.login}`);

  // Until the login is proven, the account can do nothing but confirm it.
  try {
    await call(organizations, 'ListOrganizations', {}, owner);
    throw new Error('an unconfirmed account listed organizations');
  } catch (error) {
    check(error.code === grpc.status.FAILED_PRECONDITION && richStatus(error).details.ErrorInfo.reason === 'LOGIN_NOT_CONFIRMED', `LOGIN_NOT_CONFIRMED, got ${error.code}`);
  }
  const confirmed = await call(accounts, 'ConfirmLogin', { code: await loginCode(ownerLogin) }, owner);
  check(confirmed.account.loginConfirmed, 'the login is confirmed');
  step('login confirmed with the emailed code');

  await call(accounts, 'SignUp', { login: memberLogin, password });
  const member = (await call(accounts, 'SignIn', { login: memberLogin, password })).sessionToken;
  await call(accounts, 'ConfirmLogin', { code: await loginCode(memberLogin) }, member);
  step('second user signed up, in and confirmed');

  const invitation = await call(organizations, 'CreateInvitation', { parent: order.organization.name, email: memberLogin, rights: { billing: true } }, owner);
  const pending = await call(organizations, 'ListMyInvitations', {}, member);
  check(pending.invitations.some((i) => i.name === invitation.invitation.name), 'the invitee sees the invitation');
  await call(organizations, 'AcceptInvitation', { name: invitation.invitation.name }, member);
  const members = await call(organizations, 'ListMembers', { parent: order.organization.name }, owner);
  check(members.members.length === 2, 'two members after acceptance');
  step('invited and accepted: 2 members');

  await call(wallet, 'TopUpWallet', { parent: order.organization.name, amount: { minor: 20000, currency: 'CHF' }, paymentMethod: 'sim-success', requestId: `top-${suffix}` }, owner);
  const paid = await call(billing, 'Checkout', { parent: order.organization.name, products: [order.product.name], paymentMethod: 'wallet', requestId: `pay-${suffix}` }, owner);
  step(`paid from the wallet: invoice ${paid.invoice.number}, ${(paid.invoice.totalMinor / 100).toFixed(2)} ${paid.invoice.currency}`);

  const pdf = await call(billing, 'GetInvoicePdf', { name: paid.invoice.name }, owner);
  check(Buffer.from(pdf.pdf).subarray(0, 5).toString() === '%PDF-', 'the invoice downloads as a PDF');
  step(`invoice PDF downloaded (${pdf.pdf.length} bytes)`);

  // A second product into the existing organization, by bank transfer: an unpaid invoice in "to pay".
  const cart = { parent: order.organization.name, lines: [{ productType: 1 /* PRODUCT_TYPE_DOMAIN_NAME */, displayName: `node-${suffix}.ch`, periodMonths: 12 }] };
  const summary = await call(billing, 'GetCartSummary', cart, owner);
  step(`cart summary: ${summary.lines[0].description}, ${(summary.totalMinor / 100).toFixed(2)} ${summary.currency}`);
  const ordered = await call(billing, 'ConfirmOrder', { ...cart, paymentMethod: 'bank-transfer', requestId: `order-${suffix}` }, owner);
  check(ordered.invoice.state === 'INVOICE_STATE_UNPAID', `bank transfer leaves the invoice unpaid, got ${ordered.invoice.state}`);
  try {
    await call(billing, 'GetInvoicePdf', { name: ordered.invoice.name }, owner);
    throw new Error('an unpaid invoice was downloaded');
  } catch (error) {
    check(richStatus(error).details.ErrorInfo.reason === 'INVOICE_NOT_PAID', 'an unpaid invoice cannot be downloaded');
  }
  const toPay = await call(billing, 'ListToPay', { parent: order.organization.name }, owner);
  check(toPay.unpaidInvoices.some((i) => i.name === ordered.invoice.name), 'the unpaid invoice is in to-pay');
  step(`ordered by bank transfer: invoice ${ordered.invoice.number} unpaid, due ${new Date(Number(ordered.invoice.dueTime.seconds) * 1000).toISOString().slice(0, 10)}`);

  const settled = await call(billing, 'PayInvoice', { name: ordered.invoice.name, paymentMethod: 'wallet', requestId: `settle-${suffix}` }, owner);
  check(settled.invoice.state === 'INVOICE_STATE_PAID', 'paying from to-pay marks it paid');
  const settledPdf = await call(billing, 'GetInvoicePdf', { name: ordered.invoice.name }, owner);
  check(Buffer.from(settledPdf.pdf).subarray(0, 5).toString() === '%PDF-', 'the paid invoice downloads as a PDF');
  step(`paid from to-pay with the wallet; invoice ${settled.invoice.number} PDF downloaded (${settledPdf.pdf.length} bytes)`);

  try {
    await call(accounts, 'SignUp', { login: `node-weak-${suffix}@example.com`, password: 'password1' });
    throw new Error('a common password was accepted');
  } catch (error) {
    check(error.code === grpc.status.INVALID_ARGUMENT, `INVALID_ARGUMENT, got ${error.code}`);
    const status = richStatus(error);
    check(status.details.ErrorInfo.reason === 'PASSWORD_TOO_COMMON', `reason PASSWORD_TOO_COMMON, got ${status.details.ErrorInfo.reason}`);
    const violation = status.details.BadRequest.fieldViolations[0];
    check(violation.field === 'password', 'the violation names the password field');
    // FieldViolation.reason is field 3 in Google's error_details.proto (4 is localized_message).
    check(violation.reason === 'PASSWORD_TOO_COMMON', `the violation's reason PASSWORD_TOO_COMMON, got '${violation.reason}'`);
    step(`error details read from the trailers: ${status.details.ErrorInfo.reason} on ${violation.field} (${violation.reason})`);
  }

  console.log('journey passed');
}

main().catch((error) => {
  console.error(`journey failed: ${error.stack || error}`);
  process.exit(1);
});
