namespace ChainInterop.Settlement.Netting;

/// <summary>The outcome of one input to a <see cref="SettlementCycle"/>, and the state it left the cycle in.</summary>
/// <param name="Code">The outcome.</param>
/// <param name="State">The cycle's state after the input.</param>
/// <param name="StateChanged">Whether this input moved the cycle to <paramref name="State"/> (e.g. the time that closed it, or the last finish that made it ready to net).</param>
/// <param name="Obligation">For <see cref="CycleResultCode.ObligationRefused"/>, why; otherwise <see cref="ObligationCode.Ok"/>.</param>
public readonly record struct CycleResult(CycleResultCode Code, SettlementCycleState State, bool StateChanged, ObligationCode Obligation)
{
    /// <summary>Whether the input is in effect: applied now, or an idempotent repeat.</summary>
    public bool IsAccepted => Code is CycleResultCode.Ok or CycleResultCode.AlreadyStarted or CycleResultCode.AlreadyFinished;

    /// <summary>The code and state, with the obligation code when it was refused.</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        Code == CycleResultCode.ObligationRefused ? $"{Code} ({Obligation}), {State}" : $"{Code}, {State}{(StateChanged ? " (changed)" : string.Empty)}";
}
