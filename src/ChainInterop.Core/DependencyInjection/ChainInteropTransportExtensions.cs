using ChainInterop.Transport;
using ChainInterop.Transport.Tcp;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a transport (C6) in a host's <see cref="IServiceCollection"/>.</summary>
public static class ChainInteropTransportExtensions
{
    /// <summary>
    /// Uses the TCP transport: one <see cref="TcpTransport"/> singleton, also resolved as <see cref="ITransport"/>,
    /// started (listening and dialling) when first resolved and disposed with the container. The options are
    /// validated when the host starts. Replaces any transport registered before; calling it again adds more
    /// configuration to the same options.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the chain id, node key, listen end point, peers (the admission whitelist), TLS and limits.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is null.</exception>
    public static IChainInteropBuilder AddTcpTransport(this IChainInteropBuilder builder, Action<TcpTransportOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<TcpTransportOptions>().Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TcpTransportOptions>, TcpTransportOptionsValidator>());
        builder.Services.TryAddSingleton(sp => TcpTransport.Start(
            sp.GetRequiredService<IOptions<TcpTransportOptions>>().Value,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<TimeProvider>()));
        builder.Services.RemoveAll<ITransport>();
        builder.Services.AddSingleton<ITransport>(sp => sp.GetRequiredService<TcpTransport>());
        return builder;
    }

    /// <summary>Reports every problem of the options, in the words of <see cref="TcpTransportOptions.Validate"/>.</summary>
    private sealed class TcpTransportOptionsValidator : IValidateOptions<TcpTransportOptions>
    {
        public ValidateOptionsResult Validate(string? name, TcpTransportOptions options)
        {
            try
            {
                options.Validate();
                return ValidateOptionsResult.Success;
            }
            catch (ArgumentException e)
            {
                return ValidateOptionsResult.Fail(e.Message);
            }
        }
    }
}
