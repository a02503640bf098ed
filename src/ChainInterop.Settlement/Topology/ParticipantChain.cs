using ChainInterop.Blocks;

namespace ChainInterop.Settlement.Topology;

/// <summary>
/// A participant chain (PPC): one bank or group of banks, running its own consensus. Its validators decide its
/// internal votes (Alg. 8 line 1) and sign the verification information it sends to a TBC (Alg. 8 line 3); the
/// network checks both against <see cref="Validators"/>.
/// </summary>
public sealed class ParticipantChain
{
    /// <summary>Describes a participant chain.</summary>
    /// <param name="id">The chain.</param>
    /// <param name="validators">Its validators, as registered by the network (the trust root for its votes).</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> is default.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="validators"/> is null.</exception>
    public ParticipantChain(ChainId id, ValidatorSet validators)
    {
        ArgumentNullException.ThrowIfNull(validators);
        if (id.IsDefault)
        {
            throw new ArgumentException("A participant chain needs an id.", nameof(id));
        }

        Id = id;
        Validators = validators;
    }

    /// <summary>The chain.</summary>
    public ChainId Id { get; }

    /// <summary>Its validators.</summary>
    public ValidatorSet Validators { get; }

    /// <summary>The chain id.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Id.ToString();
}
