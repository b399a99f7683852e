# ---
# title: Percent features
# date: 2024-03-04
# tags: [oracle]
# ---

# %% [markdown]
# A py:percent note: markdown cells, cell titles, tags and a raw cell, with values that are the
# result of a call: tensors, arrays, a matplotlib figure, sympy expressions.

# %%
import matplotlib.pyplot as plt
import numpy as np
import sympy
import torch

# %% Tensors
torch.manual_seed(0)
torch.tensor([[1.0, 2.0], [3.0, 4.0]])

# %%
torch.arange(6, dtype=torch.float32).reshape(2, 3).mean(dim=0)

# %% Arrays
np.arange(12).reshape(3, 4)

# %% [raw]
# A raw cell: not an output, not run.

# %% tags=["hide-input"]
np.linspace(0, 1, 5).round(3)

# %% [markdown]
# A figure returned as the cell's value (and shown again when the cell ends, as inline figures are).

# %% A figure
fig, ax = plt.subplots(figsize=(2, 1.5))
ax.plot([0, 1, 2], [2, 0, 1])
plt.gcf()

# %%
plt.close("all")
x = sympy.Symbol("x")
sympy.sqrt(x) / 2

# %%
sympy.Matrix([[1, 2], [3, 4]])

# %% tags=["hide-output"]
for epoch in range(3):
    print(f"epoch {epoch} accuracy {0.7 + epoch / 10:.2f} folded")
