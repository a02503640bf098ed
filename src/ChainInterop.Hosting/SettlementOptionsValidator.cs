using Microsoft.Extensions.Options;

namespace ChainInterop.Hosting;

/// <summary>
/// The checks of <see cref="SettlementOptionsValidation"/> at host start: the network section as itself, the node
/// section against the network section. The node check reads the network options without validating them (through a
/// factory of its own), so a bad network field is reported once, by the network check, and never hides a node problem.
/// </summary>
internal sealed class SettlementOptionsValidator(
    IEnumerable<IConfigureOptions<SettlementNetworkOptions>> networkSetups,
    IEnumerable<IPostConfigureOptions<SettlementNetworkOptions>> networkPostSetups)
    : IValidateOptions<SettlementNetworkOptions>, IValidateOptions<SettlementNodeOptions>
{
    public ValidateOptionsResult Validate(string? name, SettlementNetworkOptions options) =>
        Result(SettlementOptionsValidation.Validate(options));

    public ValidateOptionsResult Validate(string? name, SettlementNodeOptions options)
    {
        var network = new OptionsFactory<SettlementNetworkOptions>(networkSetups, networkPostSetups).Create(Options.DefaultName);
        var errors = new List<string>();
        SettlementOptionsValidation.CheckNode(network, options, errors);
        return Result(errors);
    }

    private static ValidateOptionsResult Result(IReadOnlyList<string> errors) =>
        errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
}
