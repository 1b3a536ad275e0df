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
    ### BEGIN SOLUTION: freq = counts / counts.sum(); weight = mediana das freq > 0 dividida por freq (0 onde freq == 0, sem divisão por zero); guarde em `weights` (float32)
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
    ### BEGIN SOLUTION: p = softmax nos canais; g = one-hot dos rótulos (troque 255 por 0 antes e zere p e g nos pixels void); some sobre (B, H, W) por classe; guarde 1 - média do Dice em `loss`
    num_classes = outputs.shape[1]
    valid = (labels != VOID_LABEL).unsqueeze(1)                   # [B, 1, H, W]
    probabilities = outputs.softmax(dim=1) * valid                # void pixels count for nothing
    targets = F.one_hot(labels.masked_fill(~valid.squeeze(1), 0), num_classes)
    targets = targets.permute(0, 3, 1, 2).to(probabilities.dtype) * valid
    intersection = (probabilities * targets).sum(dim=(0, 2, 3))
    sizes = probabilities.sum(dim=(0, 2, 3)) + targets.sum(dim=(0, 2, 3))
    loss = 1 - ((2 * intersection + eps) / (sizes + eps)).mean()
    ### END SOLUTION
    return loss
