using ChainInterop.Crypto;

namespace ChainInterop.Simulation;

/// <summary>Protocol-independent Byzantine behaviours: they work on any engine's bytes.</summary>
public static class ByzantineBehaviours
{
    /// <summary>The generic behaviours a run draws from.</summary>
    public static IReadOnlyList<Func<IByzantineBehaviour>> Generic { get; } =
    [
        () => new Silent(),
        () => new Garbage(),
        () => new Replay(),
        () => new BitFlip(),
        () => new WrongKey(),
        () => new Impersonate(),
    ];

    /// <summary>Sends nothing.</summary>
    public sealed class Silent : IByzantineBehaviour
    {
        /// <inheritdoc />
        public string Name => "silent";

        /// <inheritdoc />
        public void OnSend(NodeId recipient, byte[] message, ByzantineContext context)
        {
        }
    }

    /// <summary>Sends random bytes instead of (sometimes besides) its messages.</summary>
    public sealed class Garbage : IByzantineBehaviour
    {
        /// <inheritdoc />
        public string Name => "garbage";

        /// <inheritdoc />
        public void OnSend(NodeId recipient, byte[] message, ByzantineContext context)
        {
            var junk = new byte[context.Random.Next(0, 96)];
            context.Random.NextBytes(junk);
            if (junk.Length > 0 && context.Random.Next(2) == 0)
            {
                junk[0] = message.Length > 0 ? message[0] : (byte)0x95; // looks like the start of a real message
            }

            context.Deliver(recipient, junk);
            if (context.Random.Next(3) == 0)
            {
                context.Deliver(recipient, message);
            }
        }
    }

    /// <summary>Sends its messages, and old ones (its own and others') again to random nodes.</summary>
    public sealed class Replay : IByzantineBehaviour
    {
        private const int MaxRecorded = 64;
        private readonly List<byte[]> _recorded = [];

        /// <inheritdoc />
        public string Name => "replay";

        /// <inheritdoc />
        public void OnReceive(NodeId from, ReadOnlyMemory<byte> message, ByzantineContext context) => Record(message.ToArray(), context);

        /// <inheritdoc />
        public void OnSend(NodeId recipient, byte[] message, ByzantineContext context)
        {
            context.Deliver(recipient, message);
            if (_recorded.Count > 0 && context.Random.Next(2) == 0)
            {
                var old = _recorded[context.Random.Next(_recorded.Count)];
                context.Deliver(context.Nodes[context.Random.Next(context.Nodes.Count)], old);
            }

            Record(message, context);
        }

        private void Record(byte[] message, ByzantineContext context)
        {
            if (_recorded.Count < MaxRecorded)
            {
                _recorded.Add(message);
            }
            else
            {
                _recorded[context.Random.Next(MaxRecorded)] = message;
            }
        }
    }

    /// <summary>Flips one random bit in each message it sends.</summary>
    public sealed class BitFlip : IByzantineBehaviour
    {
        /// <inheritdoc />
        public string Name => "bit-flip";

        /// <inheritdoc />
        public void OnSend(NodeId recipient, byte[] message, ByzantineContext context)
        {
            if (message.Length > 0)
            {
                int bit = context.Random.Next(message.Length * 8);
                message[bit / 8] ^= (byte)(1 << (bit % 8));
            }

            context.Deliver(recipient, message);
        }
    }

    /// <summary>Its replica signs with a key that is not its own (not in the validator set); messages still come from its identity.</summary>
    public sealed class WrongKey : IByzantineBehaviour
    {
        /// <inheritdoc />
        public string Name => "wrong-key";

        /// <inheritdoc />
        public NodeSetup PrepareSetup(NodeSetup honest, ByzantineContext context)
        {
            Span<byte> seed = stackalloc byte[32];
            context.Random.NextBytes(seed);
            return honest with { Key = SignatureSchemes.Ed25519.ImportPrivateKey(seed) };
        }

        /// <inheritdoc />
        public void OnSend(NodeId recipient, byte[] message, ByzantineContext context) => context.Deliver(recipient, message);
    }

    /// <summary>Passes messages it received from other nodes on as its own (a wrong sender), besides its honest traffic.</summary>
    public sealed class Impersonate : IByzantineBehaviour
    {
        private byte[]? _lastReceived;

        /// <inheritdoc />
        public string Name => "impersonate";

        /// <inheritdoc />
        public void OnReceive(NodeId from, ReadOnlyMemory<byte> message, ByzantineContext context) => _lastReceived = message.ToArray();

        /// <inheritdoc />
        public void OnSend(NodeId recipient, byte[] message, ByzantineContext context)
        {
            context.Deliver(recipient, message);
            if (_lastReceived is not null)
            {
                context.Deliver(recipient, _lastReceived);
            }
        }
    }
}
