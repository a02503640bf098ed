namespace ChainInterop.Settlement.Topology;

/// <summary>Why a vote or a piece of verification information did not verify. Values are stable codes.</summary>
public enum EvidenceFailure
{
    /// <summary>The evidence verified.</summary>
    None = 0,

    /// <summary>The evidence comes from (or speaks for) another chain than the one that must decide.</summary>
    WrongChain = 1,

    /// <summary>The evidence is about another request (or, for verification information, another vote or TBC).</summary>
    WrongSubject = 2,

    /// <summary>A signer is not a validator of the chain, as registered in the network.</summary>
    UnknownSigner = 3,

    /// <summary>A signature does not verify. One bad signature fails the evidence, even when the others would reach the quorum.</summary>
    InvalidSignature = 4,

    /// <summary>Fewer signatures than the chain's quorum (<see cref="Blocks.ValidatorSet.Quorum"/>).</summary>
    InsufficientSignatures = 5,

    /// <summary>The chain's validators decided "no" (a well-signed rejection).</summary>
    Rejected = 6,
}
