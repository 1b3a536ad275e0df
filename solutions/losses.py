"""Losses for class imbalance (course exercise): class weights from pixel counts, and the Dice loss."""

import torch
import torch.nn.functional as F

VOID_LABEL = 255  # object borders: ignored by every loss


def class_weights(pixel_counts):
    """Median-frequency balancing: weight_c = median(freq) / freq_c, with freq_c = count_c / total.

    A rare class gets a weight above 1, a common one below 1; the class of median frequency gets 1.
    A class with no pixel at all gets weight 0 (there is nothing of it to learn). Returns float32 [C].
    """
    counts = torch.as_tensor(pixel_counts, dtype=torch.float64)
    ### BEGIN SOLUTION: calcule os pesos das classes pelo balanceamento da frequência mediana e guarde-os em `weights` (float32)
    ### DICA: A frequência de uma classe é a sua contagem de pixels dividida pelo total; o peso é a mediana das frequências dividida pela frequência da classe.
    ### DICA: Uma classe sem nenhum pixel fica de fora da mediana e recebe peso 0: uma máscara booleana das classes presentes evita a divisão por zero.
    ### ESQUELETO: freq = ...
    ### ESQUELETO: present = ...  # True nas classes com algum pixel
    ### ESQUELETO: weights = ...  # zeros, do tamanho de freq
    ### ESQUELETO: weights[present] = ...
    ### ESQUELETO: # no fim, converta weights para float32
    freq = counts / counts.sum()
    present = freq > 0
    weights = torch.zeros_like(freq)
    weights[present] = freq[present].median() / freq[present]
    weights = weights.float()
    ### END SOLUTION
    return weights


def dice_loss(outputs, labels, eps=1.0):
    """Soft Dice loss: 1 - mean over classes of 2*sum(p*g) / (sum(p) + sum(g)).

    outputs [B, C, H, W] are class scores (softmax turns them into probabilities p), labels [B, H, W]
    hold class indices (g is their one-hot form). Void pixels (255) are left out of every sum. `eps` keeps
    the ratio defined for a class absent from the batch and smooths the gradient.
    """
    ### BEGIN SOLUTION: calcule a perda Dice suave, sem contar os pixels void, e guarde-a em `loss`
    ### DICA: p são as probabilidades (softmax nos canais) e g os rótulos em one-hot, com as classes no eixo 1; para cada classe, some p*g, p e g sobre o lote, a altura e a largura.
    ### DICA: Os pixels void (255) não entram em nenhuma soma: multiplique p e g por uma máscara dos pixels válidos; antes do one-hot troque 255 por uma classe qualquer, senão `F.one_hot` falha.
    ### ESQUELETO: valid = ...  # [B, 1, H, W]: True fora do void
    ### ESQUELETO: probabilities = ...
    ### ESQUELETO: targets = ...  # one-hot [B, C, H, W], zerado no void
    ### ESQUELETO: intersection = ...  # [C]
    ### ESQUELETO: sizes = ...  # [C]: soma de p mais soma de g
    ### ESQUELETO: loss = 1 - ...  # média do Dice das classes, com eps
    num_classes = outputs.shape[1]
    valid = (labels != VOID_LABEL).unsqueeze(1)  # [B, 1, H, W]
    probabilities = outputs.softmax(dim=1) * valid  # void pixels count for nothing
    targets = F.one_hot(labels.masked_fill(~valid.squeeze(1), 0), num_classes)
    targets = targets.permute(0, 3, 1, 2).to(probabilities.dtype) * valid
    intersection = (probabilities * targets).sum(dim=(0, 2, 3))
    sizes = probabilities.sum(dim=(0, 2, 3)) + targets.sum(dim=(0, 2, 3))
    loss = 1 - ((2 * intersection + eps) / (sizes + eps)).mean()
    ### END SOLUTION
    return loss
