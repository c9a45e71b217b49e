namespace Broker.HostileInput.Json;

/// <summary>A place in a tree where a value sits: a property of an object or an item of an array.</summary>
public sealed class JSlot(JNode parent, int index)
{
    public JNode Parent { get; } = parent;

    public JNode Value => Parent is JObject o ? o.Properties[index].Value : ((JArray)Parent).Items[index];

    public JProperty? Property => Parent is JObject o ? o.Properties[index] : null;

    public void Set(JNode value)
    {
        if (Parent is JObject o)
        {
            o.Properties[index].Value = value;
        }
        else
        {
            ((JArray)Parent).Items[index] = value;
        }
    }

    public void Remove()
    {
        if (Parent is JObject o)
        {
            o.Properties.RemoveAt(index);
        }
        else
        {
            ((JArray)Parent).Items.RemoveAt(index);
        }
    }

    /// <summary>Every slot under <paramref name="root"/>, parents before children.</summary>
    public static List<JSlot> All(JNode root)
    {
        var slots = new List<JSlot>();
        void Visit(JNode node)
        {
            var count = node switch { JObject o => o.Properties.Count, JArray a => a.Items.Count, _ => 0 };
            for (var i = 0; i < count; i++)
            {
                var slot = new JSlot(node, i);
                slots.Add(slot);
                Visit(slot.Value);
            }
        }
        Visit(root);
        return slots;
    }
}
