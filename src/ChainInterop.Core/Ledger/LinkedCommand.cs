using ChainInterop.Codec;

namespace ChainInterop.Ledger;

/// <summary>
/// A group of commands that succeed or fail together, applied in order: if one fails, none has any effect (e.g. the
/// two legs of a cross-chain transfer, seed 000 S2 Decision "both legs commit or neither").
/// </summary>
/// <remarks>
/// Canonical form: <c>[8, [command...]]</c>. Groups do not nest and hold at most <see cref="MaxLinkedCommands"/>
/// commands; an empty group is <see cref="LedgerResultCode.InvalidCommand"/>.
/// </remarks>
public sealed class LinkedCommand : LedgerCommand
{
    /// <summary>The most commands in one group, in commands.</summary>
    public const int MaxLinkedCommands = 64;

    internal const int EncodedFieldCount = 2;

    private readonly LedgerCommand[] _commands;

    /// <summary>Creates the group.</summary>
    /// <param name="commands">The commands, in the order they apply.</param>
    /// <exception cref="ArgumentNullException"><paramref name="commands"/> or one of them is null.</exception>
    /// <exception cref="ArgumentException">A command is itself a <see cref="LinkedCommand"/>, or there are more than <see cref="MaxLinkedCommands"/>.</exception>
    public LinkedCommand(IReadOnlyList<LedgerCommand> commands)
    {
        ArgumentNullException.ThrowIfNull(commands);
        _commands = [.. commands];
        if (_commands.Length > MaxLinkedCommands)
        {
            throw new ArgumentException($"A linked group holds at most {MaxLinkedCommands} commands.", nameof(commands));
        }

        foreach (var command in _commands)
        {
            ArgumentNullException.ThrowIfNull(command, nameof(commands));
            if (command is LinkedCommand)
            {
                throw new ArgumentException("Linked groups do not nest.", nameof(commands));
            }
        }
    }

    /// <inheritdoc />
    public override LedgerCommandKind Kind => LedgerCommandKind.Linked;

    /// <summary>The commands, in the order they apply.</summary>
    public IReadOnlyList<LedgerCommand> Commands => _commands;

    /// <inheritdoc />
    private protected override int FieldCount => EncodedFieldCount;

    /// <inheritdoc />
    private protected override void EncodeFields(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(_commands.Length);
        foreach (var command in _commands)
        {
            command.Encode(ref writer);
        }
    }
}
