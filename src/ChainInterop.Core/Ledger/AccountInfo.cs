namespace ChainInterop.Ledger;

/// <summary>An account on the ledger.</summary>
/// <param name="Id">The account.</param>
/// <param name="Owner">The institution that owns it.</param>
/// <param name="Assets">The assets it holds, sorted.</param>
public sealed record AccountInfo(AccountId Id, InstitutionId Owner, IReadOnlyList<AssetCode> Assets);
