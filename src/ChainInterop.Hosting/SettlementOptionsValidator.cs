using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace ChainInterop.Hosting;

/// <summary>
/// The checks of <see cref="SettlementOptionsValidation"/> at host start: the network section as itself, the node
/// section against the network section. The node check reads the network options without validating them (through a
/// factory of its own), so a bad network field is reported once, by the network check, and never hides a node problem.
/// </summary>
/// <remarks>
/// Numbers and flags are checked in the configuration's text first, because the binder silently drops a list item
/// holding a value it cannot convert; while any is bad, only those errors are reported, since the bound options are
/// missing the items that hold them.
/// </remarks>
internal sealed class SettlementOptionsValidator(
    IConfiguration configuration,
    IEnumerable<IConfigureOptions<SettlementNetworkOptions>> networkSetups,
    IEnumerable<IPostConfigureOptions<SettlementNetworkOptions>> networkPostSetups)
    : IValidateOptions<SettlementNetworkOptions>, IValidateOptions<SettlementNodeOptions>
{
    public ValidateOptionsResult Validate(string? name, SettlementNetworkOptions options)
    {
        var errors = new List<string>();
        SettlementOptionsValidation.CheckNetworkValues(configuration, errors);
        return Result(errors.Count > 0 ? errors : SettlementOptionsValidation.Validate(options));
    }

    public ValidateOptionsResult Validate(string? name, SettlementNodeOptions options)
    {
        var errors = new List<string>();
        SettlementOptionsValidation.CheckNodeValues(configuration, errors);
        var networkValues = new List<string>();
        SettlementOptionsValidation.CheckNetworkValues(configuration, networkValues);
        if (errors.Count == 0 && networkValues.Count == 0)
        {
            var network = new OptionsFactory<SettlementNetworkOptions>(networkSetups, networkPostSetups).Create(Options.DefaultName);
            SettlementOptionsValidation.CheckNode(network, options, errors);
        }

        return Result(errors);
    }

    private static ValidateOptionsResult Result(IReadOnlyList<string> errors) =>
        errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
}
