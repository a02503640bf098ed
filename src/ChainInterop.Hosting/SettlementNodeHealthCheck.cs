using System.Globalization;
using ChainInterop.Consensus.Pbft;
using ChainInterop.Settlement.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ChainInterop.Hosting;

/// <summary>
/// The health of this server's settlement validators, one entry per validator in the report's data
/// (<c>{chain}/{index}: height, view, validators connected, relay backlog, ms since the last commit</c>):
/// unhealthy when a validator's replica stopped (its host failed) or none runs; degraded when a validator reaches fewer
/// of its chain's validators than a quorum needs, or has not committed for <see cref="StaleAfter"/> (every chain
/// commits at least a tick a second while it is live); healthy otherwise.
/// </summary>
public sealed class SettlementNodeHealthCheck : IHealthCheck
{
    private readonly SettlementNodeService _service;
    private readonly SettlementNetworkOptions _network;
    private readonly TimeProvider _time;

    /// <summary>Created by dependency injection.</summary>
    /// <param name="service">The node's validators.</param>
    /// <param name="network">The network's description.</param>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    public SettlementNodeHealthCheck(SettlementNodeService service, IOptions<SettlementNetworkOptions> network, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(network);
        _service = service;
        _network = network.Value;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How long without a commit before a validator counts as degraded.</summary>
    public static TimeSpan StaleAfter { get; } = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var validators = _service.Validators;
        if (validators.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("No validator runs."));
        }

        var data = new Dictionary<string, object>();
        var problems = new List<string>();
        var status = HealthStatus.Healthy;
        var now = _time.GetUtcNow();
        foreach (var v in validators)
        {
            string name = string.Create(CultureInfo.InvariantCulture, $"{v.Chain}/{v.Index}");
            int connected = _service.ConnectedValidators(v);
            var set = _network.ValidatorsOf(v.Chain);
            long? sinceCommitMs = v.LastCommitAt is { } at ? (long)(now - at).TotalMilliseconds : null;
            data[name] = string.Create(CultureInfo.InvariantCulture,
                $"height {v.ExecutedHeight?.ToString(CultureInfo.InvariantCulture) ?? "-"}, view {(v.Host.Replica is PbftReplica p ? p.View.ToString(CultureInfo.InvariantCulture) : "-")}, validators connected {connected}/{set.Count - 1}, relay backlog {v.RelayBacklog}, last commit {(sinceCommitMs is { } ms ? ms.ToString(CultureInfo.InvariantCulture) + " ms ago" : "none since start")}");
            if (v.Host.Completion.IsFaulted)
            {
                status = HealthStatus.Unhealthy;
                problems.Add($"{name}: its replica stopped ({v.Host.Completion.Exception?.InnerException?.Message})");
            }
            else if (connected + 1 < set.Quorum)
            {
                status = status == HealthStatus.Unhealthy ? status : HealthStatus.Degraded;
                problems.Add($"{name}: reaches {connected} of its chain's other validators; a quorum needs {set.Quorum - 1}");
            }
            else if (sinceCommitMs is null || sinceCommitMs > StaleAfter.TotalMilliseconds)
            {
                status = status == HealthStatus.Unhealthy ? status : HealthStatus.Degraded;
                problems.Add($"{name}: no commit for {StaleAfter.TotalSeconds:0} s");
            }
        }

        string description = problems.Count == 0 ? $"{validators.Count} validator(s) committing." : string.Join("; ", problems);
        return Task.FromResult(new HealthCheckResult(status, description, data: data));
    }
}
