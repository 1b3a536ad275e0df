# ruff: noqa  (cells of a notebook, pasted by the lead: names come from the notebook's earlier cells)
# fmt: off
# Cells for the new notebook 03_upsampling_e_perdas (issue 23: concept checks and a Desafio), written by the
# helper on branch work-quiz. The lead pastes them after merging the split of 02_fcn_alexnet.py; nothing of
# notebook 02 after the heading "## Convolução transposta: ampliar com pesos" was edited on this branch.
#
# 1. The notebook's import cell: add `quiz` to its `from fcn_course import ...` line (it already needs
#    `checks`), e.g. `from fcn_course import checks, plots, quiz, runs`.
# 2. Paste each block below at the place its comment names (py:percent cells, ready as they are).
# 3. TODO (code, once "03_upsampling_e_perdas" is in fcn_course.outline.COURSE_NOTEBOOKS): in
#    fcn_course/checks/challenges.py decorate `check_focal_loss` with
#        @exercise("focal-loss", notebook="03_upsampling_e_perdas", names=("focal_loss",), challenge=True)
#    (the check, its messages `exercise.focal-loss` / `checks.challenges.*` and its tests in
#    tests/test_checks_challenges.py are already there), then update the expectations that list the Desafios:
#    tests/test_checks_challenges.py::test_desafios_are_optional_worth_no_points_and_numbered_apart
#    (["miou-per-image", "min-input-size", "focal-loss", "whole-image"], numbers 1-4) and the 02 list in
#    tests/test_checks_registry.py::test_run_all_grades_only_the_exercises_of_one_notebook (its Desafio there is
#    "min-input-size", which stays in 02). Then `python -m fcn_course.instructor build --force` and `check`.
#    Until the row exists, the cell `checks.check("focal-loss")` reports an unknown exercise, so paste block D
#    only together with the decorator.

# ======================================================================================================
# A. After the section "### O tamanho da saída" (its last cell), before "### Por que \"transposta\": ..."
# ======================================================================================================

# %%
quiz.ask("transposed-size")

# ======================================================================================================
# B. After the answer cell of "Pergunta de reflexão A" (the learned upsampling), before "## Exercício 5"
#    (after the answer, so that the question's explanations never answer Pergunta A for the student)
# ======================================================================================================

# %%
quiz.ask("bilinear-init")

# ======================================================================================================
# C. After the worked example "### Exemplo: pesos pela mediana das frequências, com 3 classes" (its code
#    cell), before "### Exemplo: a perda de Dice numa imagem 2x2, com um pixel void"
# ======================================================================================================

# %%
quiz.ask("median-frequency")

# ======================================================================================================
# D. After the cell `checks.check("dice-loss");` (end of Exercício 5), before the notebook's summary
#    (needs the TODO of step 3 above)
# ======================================================================================================

# %% [markdown]
# ## Desafio (opcional, extra): *focal loss*, ignorando o *void*
#
# Para quem quiser ir além: o desafio não vale nota, e o resto do notebook roda sem ele.
#
# Os pesos por classe do Exercício 5 tratam igual todos os pixels de uma classe. A ***focal loss*** (Lin,
# Goyal, Girshick, He e Dollár, 2017, [arXiv:1708.02002](https://arxiv.org/abs/1708.02002)) pondera cada
# **pixel** pela sua dificuldade: com $p_t$ a probabilidade (*softmax*) que a rede dá à classe certa do
# pixel, a perda do pixel é
#
# $$ -(1 - p_t)^{\gamma}\,\log p_t . $$
#
# Com $\gamma = 0$ ela é a entropia cruzada; com $\gamma > 0$, um pixel que a rede já acerta com folga
# ($p_t$ perto de 1) quase não pesa, e os difíceis dominam. (O artigo acrescenta um peso $\alpha$ por
# classe; aqui ficamos sem ele.)
#
# Escreva `focal_loss(logits, labels, gamma=2.0)`: `logits` `[B, C, H, W]`, `labels` `[B, H, W]` com 255
# nos pixels *void*; devolva a média da perda sobre os pixels que **não** são *void*, como um tensor com
# gradiente. A verificação confere que ela é igual à entropia cruzada com $\gamma = 0$, que ignora o *void*
# e que dá o valor da fórmula com $\gamma = 0{,}5$ e $\gamma = 2$.
#
# Para ir além: por que a *focal loss* poderia ajudar o ônibus mais do que os pesos pela mediana, num
# conjunto em que a maior parte dos pixels de fundo é fácil?

# %%
def focal_loss(logits, labels, gamma=2.0, ignore_index=255):
    """Mean over the non-void pixels of -(1 - p_t)^gamma * log p_t, p_t the softmax probability of the
    pixel's true class (Lin et al., 2017, without the class weight alpha)."""
    ### BEGIN SOLUTION: calcule −(1 − p_t)^γ · log p_t em cada pixel e devolva a média sobre os pixels que não são void
    ### DICA: A entropia cruzada de cada pixel, com `reduction="none"`, já é −log p_t; então p_t = exp(−CE).
    ### DICA: Multiplique a perda de cada pixel pelo fator (1 − p_t)^γ e tire a média só dos pixels cujo rótulo não é `ignore_index` (uma máscara booleana).
    ### ESQUELETO: per_pixel = ...
    ### ESQUELETO: valid = ...
    ### ESQUELETO: factor = ...
    ### ESQUELETO: return ...
    per_pixel = F.cross_entropy(logits, labels, ignore_index=ignore_index, reduction="none")
    valid = labels != ignore_index
    factor = (1 - torch.exp(-per_pixel)) ** gamma
    return (factor * per_pixel)[valid].mean()
    ### END SOLUTION


# %%
checks.check("focal-loss");
