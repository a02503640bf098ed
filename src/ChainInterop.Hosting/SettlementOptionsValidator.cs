using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace ChainInterop.Hosting;

/// <summary>
/// The checks of <see cref="SettlementOptionsValidation"/> at host start: the network section as itself, the node
/// section against the network section. The node check reads the network options without validating them (through a
/// factory of its own), so a bad network field is reported once, by the network check, and never hides a node problem.
/// </summary>
/// <remarks>
/// Numbers and flags are checked in the configuration's text first: binding stops at the first value it cannot convert
/// (<see cref="SettlementNetworkOptions.BindingError"/>), so while any is bad only those errors are reported, all of
/// them, since the bound options lack what came after.
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
        if (errors.Count > 0 || !SettlementOptionsValidation.Bound(SettlementNetworkOptions.SectionName, options.BindingError, errors))
        {
            return Result(errors);
        }

        return Result(SettlementOptionsValidation.Validate(options));
    }

    public ValidateOptionsResult Validate(string? name, SettlementNodeOptions options)
    {
        var errors = new List<string>();
        SettlementOptionsValidation.CheckNodeValues(configuration, errors);
        if (errors.Count > 0 || !SettlementOptionsValidation.Bound(SettlementNodeOptions.SectionName, options.BindingError, errors))
        {
            return Result(errors);
        }

        // A network that did not bind whole is the network check's to report; checked against it, the node would
        // only collect misleading errors.
        var network = new OptionsFactory<SettlementNetworkOptions>(networkSetups, networkPostSetups).Create(Options.DefaultName);
        var networkValues = new List<string>();
        SettlementOptionsValidation.CheckNetworkValues(configuration, networkValues);
        if (networkValues.Count == 0 && network.BindingError is null)
        {
            SettlementOptionsValidation.CheckNode(network, options, errors);
        }

        return Result(errors);
    }

    private static ValidateOptionsResult Result(IReadOnlyList<string> errors) =>
        errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
}
