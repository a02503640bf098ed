using ChainInterop.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a settlement node's configuration in a host's <see cref="IServiceCollection"/>.</summary>
public static class SettlementHostingServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="SettlementNetworkOptions"/> (<c>ChainInterop:Network</c>) and <see cref="SettlementNodeOptions"/>
    /// (<c>ChainInterop:Node</c>) from <paramref name="configuration"/>, validates both when the host starts (every
    /// problem at once, <see cref="SettlementOptionsValidation"/>), and registers the default
    /// <see cref="ISigningKeyProvider"/> unless the host registered one: <see cref="DemoSigningKeyProvider"/> when
    /// <see cref="SettlementNodeOptions.UseDemoKeys"/> is set, <see cref="KeyFileSigningKeyProvider"/> otherwise.
    /// Calling it again changes nothing.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">The configuration root holding both sections.</param>
    /// <param name="baseDirectory">
    /// The directory relative paths of the node section resolve against (the configuration file's); null keeps
    /// <see cref="SettlementNodeOptions.BaseDirectory"/> as bound (the current directory when not set).
    /// </param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is null.</exception>
    public static IServiceCollection AddSettlementNodeOptions(this IServiceCollection services, IConfiguration configuration, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        // Binding twice would append every list item twice, so the registration is done once, marked by its marker.
        if (services.Any(d => d.ServiceType == typeof(SettlementNodeOptionsMarker)))
        {
            return services;
        }

        services.AddSingleton<SettlementNodeOptionsMarker>();

        // A value the binder cannot convert does not throw here but is kept for the validator, which then reports every
        // such value at once from the configuration's text.
        var networkSection = configuration.GetSection(SettlementNetworkOptions.SectionName);
        var nodeSection = configuration.GetSection(SettlementNodeOptions.SectionName);
        services.AddOptions<SettlementNetworkOptions>()
            .Configure(o => o.BindingError = SettlementOptionsValidation.TryBind(() => networkSection.Bind(o)))
            .ValidateOnStart();
        var node = services.AddOptions<SettlementNodeOptions>()
            .Configure(o => o.BindingError = SettlementOptionsValidation.TryBind(() => nodeSection.Bind(o)))
            .ValidateOnStart();
        if (baseDirectory is not null)
        {
            node.PostConfigure(o => o.BaseDirectory = baseDirectory);
        }

        services.AddSingleton(sp => new SettlementOptionsValidator(
            configuration,
            sp.GetServices<IConfigureOptions<SettlementNetworkOptions>>(),
            sp.GetServices<IPostConfigureOptions<SettlementNetworkOptions>>()));
        services.AddSingleton<IValidateOptions<SettlementNetworkOptions>>(sp => sp.GetRequiredService<SettlementOptionsValidator>());
        services.AddSingleton<IValidateOptions<SettlementNodeOptions>>(sp => sp.GetRequiredService<SettlementOptionsValidator>());
        services.TryAddSingleton<ISigningKeyProvider>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SettlementNodeOptions>>().Value;
            return options.UseDemoKeys ? new DemoSigningKeyProvider() : new KeyFileSigningKeyProvider(options);
        });
        return services;
    }

    /// <summary>Marks the services to which <see cref="AddSettlementNodeOptions"/> was applied.</summary>
    private sealed class SettlementNodeOptionsMarker;
}
