namespace ChainInterop.Ledger;

/// <summary>
/// The outcome of applying one <see cref="LedgerCommand"/>: a stable <see cref="Code"/> and, when a
/// <see cref="LinkedCommand"/> failed, the index of the member that failed.
/// </summary>
/// <param name="Code">The outcome; for a failed linked group, the code of the member that failed.</param>
/// <param name="FailedIndex">For a failed linked group, the index of the member that failed; otherwise -1.</param>
public readonly record struct LedgerResult(LedgerResultCode Code, int FailedIndex)
{
    /// <summary>The result of a command that was applied.</summary>
    public static LedgerResult Ok => new(LedgerResultCode.Ok, -1);

    /// <summary>Whether the command is in effect: applied now (<see cref="LedgerResultCode.Ok"/>) or before (<see cref="LedgerResultCode.AlreadyApplied"/>).</summary>
    public bool IsSuccess => Code is LedgerResultCode.Ok or LedgerResultCode.AlreadyApplied;

    /// <summary>Creates the result of a single command.</summary>
    /// <param name="code">The outcome.</param>
    /// <returns>The result.</returns>
    public static LedgerResult Of(LedgerResultCode code) => new(code, -1);

    /// <summary>
    /// The outcome of member <paramref name="memberIndex"/> of a linked group with this result: the failure code for
    /// the member that failed, <see cref="LedgerResultCode.LinkedCommandFailed"/> for every other member of a failed
    /// group, and <see cref="Code"/> when the group succeeded.
    /// </summary>
    /// <param name="memberIndex">The member's index in <see cref="LinkedCommand.Commands"/>.</param>
    /// <returns>The member's outcome.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="memberIndex"/> is negative.</exception>
    public LedgerResultCode MemberCode(int memberIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(memberIndex);
        return FailedIndex < 0 || memberIndex == FailedIndex ? Code : LedgerResultCode.LinkedCommandFailed;
    }

    /// <summary>The code, and the failing member when there is one.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => FailedIndex < 0 ? Code.ToString() : $"{Code} at linked member {FailedIndex}";
}
