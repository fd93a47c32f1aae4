using Hosting.Core.Accounts;
using Hosting.Core.Billing;
using Hosting.Core.Events;
using Hosting.Core.Mailboxes;
using Hosting.Core.Notifications;
using Hosting.Core.Organizations;
using Hosting.Core.Security;
using Hosting.Core.Shared;
using Hosting.Core.Wallets;
using Hosting.GrpcHost.Callers;
using Hosting.GrpcHost.Errors;
using Hosting.GrpcHost.Limits;
using Hosting.Persistence;
using Hosting.Persistence.Stores;
using Microsoft.Extensions.Options;

namespace Hosting.GrpcHost.Infrastructure;

internal static class ServiceRegistration
{
    /// <summary>The domain, its store and the gRPC plumbing, configured from <paramref name="configuration"/>.</summary>
    public static IServiceCollection AddHostingService(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ISecretGenerator, SystemSecretGenerator>();

        var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        storage.Register(services);
        services.AddScoped<IAccountStore, EfAccountStore>();
        services.AddScoped<IOutboxStore, EfOutboxStore>();

        var argon2 = configuration.GetSection("PasswordHashing").Get<Argon2Parameters>() ?? Argon2Parameters.Owasp;
        services.AddSingleton<IPasswordHasher>(sp => PasswordHashers.Create(argon2, sp.GetRequiredService<ISecretGenerator>()));
        services.AddSingleton<ICommonPasswords, ZxcvbnCommonPasswords>();
        services.AddSingleton<PasswordPolicy>();
        services.AddSingleton(configuration.GetSection("Accounts").Get<AccountOptions>() ?? new AccountOptions());
        services.AddScoped<IAccountLapse, LapsedAccountOrganizations>();
        services.AddScoped<AccountService>();
        services.AddScoped<PasswordResetIssuer>();
        services.AddScoped<IMailboxStore, EfMailboxStore>();
        services.AddScoped<IAccountPasswordSync, MailboxPasswordSync>();
        services.AddScoped<MailboxService>();
        services.AddScoped<IMembershipChangeObserver, MailboxRightsObserver>();
        services.AddScoped<IOrganizationStore, EfOrganizationStore>();
        services.AddScoped<IBillingStore, EfBillingStore>();
        services.AddScoped<IProductCatalogue, StoredProductCatalogue>();
        services.AddSingleton(configuration.GetSection("Billing").Get<BillingOptions>() ?? new BillingOptions());
        services.AddScoped<BillingService>();
        services.AddScoped<BillingAdministration>();
        services.AddSingleton(CurrenciesFrom(configuration));
        services.AddScoped<OrderService>();
        services.AddScoped<UnpaidInvoiceService>();
        services.AddScoped<WalletFinances>();
        services.AddScoped<IOrganizationFinances, BillingFinances>();
        services.AddScoped<IWalletStore, EfWalletStore>();
        services.AddSingleton<IPaymentGateway, SimulatedPaymentGateway>();
        services.AddSingleton(configuration.GetSection("Wallet").Get<WalletOptions>() ?? new WalletOptions());
        services.AddScoped<WalletService>();
        services.AddScoped<WalletAuditor>();
        services.AddSingleton(configuration.GetSection("Organizations").Get<OrganizationOptions>() ?? new OrganizationOptions());
        services.AddScoped<OrganizationService>();
        services.AddSingleton(configuration.GetSection(EventOptions.Section).Get<EventOptions>() ?? new EventOptions());
        services.AddSingleton<EventSignal>();
        services.AddScoped<IEventStore, EfEventStore>();
        services.AddScoped<EventFeed>();
        services.AddHostedService<EventRetentionService>();

        services.Configure<NotificationOptions>(configuration.GetSection(NotificationOptions.Section));
        services.Configure<SmtpOptions>(configuration.GetSection("Notifications:Smtp"));
        services.Configure<PickupOptions>(configuration.GetSection("Notifications:Pickup"));
        services.PostConfigure<PickupOptions>(o =>
        {
            // Notifications:Directory is the name the README gives; Pickup:Directory the older one.
            if (configuration["Notifications:Directory"] is { Length: > 0 } directory)
            {
                o.Directory = directory;
            }
        });
        var sender = configuration["Notifications:Sender"];
        if (string.Equals(sender, "Smtp", StringComparison.OrdinalIgnoreCase))
        {
            services.AddSingleton<INotificationSender, SmtpNotificationSender>();
        }
        else if (string.Equals(sender, "Files", StringComparison.OrdinalIgnoreCase) || string.Equals(sender, "Pickup", StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrWhiteSpace(configuration["Notifications:Directory"]) && string.IsNullOrWhiteSpace(configuration["Notifications:Pickup:Directory"]))
            {
                // Said at start, not at the first email, which would only be retried and parked.
                throw new HostStartupException($"Notifications:Sender={sender} needs Notifications:Directory (the folder the .eml files go to).");
            }

            services.AddSingleton<INotificationSender, PickupNotificationSender>();
        }
        else if (string.Equals(sender, "Console", StringComparison.OrdinalIgnoreCase))
        {
            services.AddSingleton<INotificationSender>(ConsoleSender);
        }
        else if (sender is null or "")
        {
            // Development prints whole messages (tokens included) to the console; anywhere else only kind, id and recipient are logged.
            services.AddSingleton<INotificationSender>(provider => provider.GetRequiredService<IHostEnvironment>().IsDevelopment()
                ? ConsoleSender(provider)
                : ActivatorUtilities.CreateInstance<LoggingNotificationSender>(provider));
        }
        else if (string.Equals(sender, "Log", StringComparison.OrdinalIgnoreCase))
        {
            services.AddSingleton<INotificationSender, LoggingNotificationSender>();
        }
        else
        {
            // A misspelt sender would otherwise drop every email into the log without a word.
            throw new HostStartupException($"Notifications:Sender={sender} is not known; use Log, Console, Files or Smtp.");
        }

        services.AddTelemetry(configuration);
        services.AddScoped<NotificationDispatcher>();
        services.AddHostedService<OutboxDispatcherService>();
        services.Configure<RenewalOptions>(configuration.GetSection(RenewalOptions.Section));
        services.AddHostedService<RenewalService>();
        services.Configure<ChargeReconciliationOptions>(configuration.GetSection(ChargeReconciliationOptions.Section));
        services.AddHostedService<ChargeReconciliationService>();

        (configuration.GetSection(ApiKeyOptions.Section).Get<ApiKeyOptions>() ?? new ApiKeyOptions()).EnsureUsable();
        services.Configure<ApiKeyOptions>(configuration.GetSection(ApiKeyOptions.Section));
        services.AddScoped<CallerAuthenticator>();

        services.AddSingleton<StoreState>();
        services.Configure<NetworkOptions>(configuration.GetSection(NetworkOptions.Section));
        services.AddSingleton<ClientAddress>();
        services.Configure<RateLimitOptions>(configuration.GetSection(RateLimitOptions.Section));
        // Several hosts share a PostgreSQL store, so their budgets live there too; SQLite serves one host.
        if (storage.IsPostgres)
        {
            services.AddSingleton<IRateLimitBudgets, SharedRateLimitBudgets>();
        }
        else
        {
            services.AddSingleton<IRateLimitBudgets, MemoryRateLimitBudgets>();
        }

        services.AddSingleton<RateLimitInterceptor>();
        services.Configure<RequestLimitOptions>(configuration.GetSection(RequestLimitOptions.Section));
        var requestLimits = configuration.GetSection(RequestLimitOptions.Section).Get<RequestLimitOptions>() ?? new RequestLimitOptions();
        services.AddGrpc(o =>
        {
            o.Interceptors.Add<ErrorInterceptor>();
            o.Interceptors.Add<StoreReadyInterceptor>();
            o.Interceptors.Add<RequestLimitsInterceptor>();
            o.Interceptors.Add<CallerInterceptor>();
            o.Interceptors.Add<RateLimitInterceptor>();
            o.EnableDetailedErrors = false;
            o.MaxReceiveMessageSize = requestLimits.MaxRequestBytes;
        }).AddJsonTranscoding(o =>
            // The error details the mapper attaches, so JSON errors carry them as google.rpc.Status does.
            o.TypeRegistry = Google.Protobuf.Reflection.TypeRegistry.FromMessages(
                Google.Rpc.ErrorInfo.Descriptor, Google.Rpc.BadRequest.Descriptor, Google.Rpc.PreconditionFailure.Descriptor, Google.Rpc.RetryInfo.Descriptor));
        // Before the binder is replaced below: AddGrpcSwagger adds gRPC's default services again.
        services.AddGrpcSwagger();
        // The framework's binder parses a malformed request into a bare UNKNOWN; this one says MALFORMED_REQUEST, in the same single parse.
        var binder = services.Single(d => d.ServiceType == typeof(Grpc.AspNetCore.Server.Model.IServiceMethodProvider<>) && d.ImplementationType?.Name == "BinderServiceMethodProvider`1");
        services.Remove(binder);
        services.AddSingleton(typeof(Grpc.AspNetCore.Server.Model.IServiceMethodProvider<>), typeof(Limits.CheckedMethodProvider<>));
        services.AddGrpcReflectionWithErrorDetails();
        Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddEnumerable(services, ServiceDescriptor.Transient<Microsoft.AspNetCore.Mvc.ApiExplorer.IApiDescriptionProvider, ResourcePathApiDescriptions>());
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc(OpenApi.DocumentName, new Microsoft.OpenApi.Models.OpenApiInfo
            {
                Title = "Hosting accounts API (HTTP/JSON)",
                Version = OpenApi.DocumentName,
                Description = "The gRPC services transcoded to HTTP/JSON from their google.api.http annotations. "
                    + "Signed-in calls send `authorization: Bearer <session token>`; errors are google.rpc.Status in JSON.",
            });
            o.OperationFilter<OpenApiOperations>();
            o.DocumentFilter<OpenApiOperations>();
            var comments = Path.ChangeExtension(typeof(ServiceRegistration).Assembly.Location, ".xml");
            if (File.Exists(comments))
            {
                o.IncludeGrpcXmlComments(comments, includeControllerXmlComments: true);
            }
        });
        services.AddGrpcHealthChecks().AddCheck<StoreHealthCheck>("store");
        return services;
    }

    private static ConsoleNotificationSender ConsoleSender(IServiceProvider provider) =>
        new(provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<PickupOptions>>(), Console.Out);

    /// <summary>The traded currencies; a code outside ISO 4217 stops the host at start, not at the first top-up.</summary>
    private static CurrencyOptions CurrenciesFrom(IConfiguration configuration)
    {
        var currencies = configuration.GetSection(CurrencyOptions.Section).Get<CurrencyOptions>() ?? new CurrencyOptions();
        _ = currencies.Codes;
        return currencies;
    }
}
